// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP side of memhp export (user/lib/http.c). The first byte picks:
 *
 *   'l' http_parse_listen    a listen address (NUL-terminated copy)
 *   'a' http_accepts_gzip    an Accept-Encoding value
 *   'z' http_gzip            the content, gzipped and inflated back
 *   'r' a raw request        sent to a real server (http_start on
 *                            127.0.0.1, any port, started once) over a
 *                            fresh loopback connection; the write side is
 *                            then shut and the answer read until the
 *                            server closes (bounded to 2 s)
 *   anything else: the byte modulo the list.
 *
 * Checked: parsed addresses are IPv4/IPv6 with the right length and port;
 * gzip round-trips; the server answers with an HTTP status line or closes,
 * never crashes (ASan covers its thread), and its request counters only
 * grow.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <zlib.h>

#include "fuzz_common.h"
#include "http.h"
#include "prom.h"

static const char sels[] = "lazr";

static char *cstr(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	FZ_CHECK(s);
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static void listen_addr(const uint8_t *p, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char *s = cstr(p, n), err[256];
	int rc;

	err[0] = '\0';
	rc = http_parse_listen(s, &ss, &len, err, sizeof(err));
	if (rc) {
		FZ_CHECK(rc == -EINVAL && err[0]);
	} else if (ss.ss_family == AF_INET) {
		FZ_CHECK(len == sizeof(struct sockaddr_in));
	} else {
		FZ_CHECK(ss.ss_family == AF_INET6);
		FZ_CHECK(len == sizeof(struct sockaddr_in6));
	}
	free(s);
}

static void gzip_roundtrip(const uint8_t *p, size_t n)
{
	char *z = NULL;
	size_t zl = 0;
	uint8_t *back;
	z_stream zs;
	int rc;

	rc = http_gzip((const char *)p, n, &z, &zl);
	FZ_CHECK(rc == 0);
	FZ_CHECK(zl >= 18 && (uint8_t)z[0] == 0x1f && (uint8_t)z[1] == 0x8b);
	back = malloc(n + 1);
	FZ_CHECK(back);
	memset(&zs, 0, sizeof(zs));
	FZ_CHECK(inflateInit2(&zs, 15 + 16) == Z_OK);
	zs.next_in = (Bytef *)z;
	zs.avail_in = (uInt)zl;
	zs.next_out = back;
	zs.avail_out = (uInt)(n + 1);
	FZ_CHECK(inflate(&zs, Z_FINISH) == Z_STREAM_END);
	FZ_CHECK(zs.total_out == n && !memcmp(back, p, n));
	inflateEnd(&zs);
	free(back);
	free(z);
}

/* --- a live server -------------------------------------------------------- */

static struct http_server *srv;
static uint16_t port;
static unsigned int conns;

static int render(void *ctx, struct prom_buf *out)
{
	(void)ctx;
	prom_printf(out, "# HELP memhp_up memhp answers.\n# TYPE memhp_up gauge\n"
			 "memhp_up 1\n");
	return 0;
}

static void server(void)
{
	struct http_opts o = { .listen = "127.0.0.1:0", .render = render,
			       .timeout_s = 2, .max_conns = 4,
			       .prog = "fuzz_http" };
	char err[256];

	if (srv)
		return;
	if (http_start(&srv, &o, err, sizeof(err))) {
		fz_err("fuzz_http: %s\n", err);
		abort();
	}
	port = http_port(srv);
	FZ_CHECK(port);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * connect(), finishing the handshake when libFuzzer's timeout alarm
 * (SIGALRM, no SA_RESTART) interrupts it.
 */
static int connect_wait(int fd, const struct sockaddr *a, socklen_t len)
{
	socklen_t el = sizeof(int);
	int err = 0, i;

	if (!connect(fd, a, len))
		return 0;
	if (errno != EINTR)
		return -1;
	for (i = 0; i < 20; i++) {
		struct pollfd pf = { .fd = fd, .events = POLLOUT };

		if (poll(&pf, 1, 100) > 0)
			break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el))
		return -1;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static void request(const uint8_t *p, size_t n)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct http_stats before, after;
	struct linger lg = { 1, 0 };
	char buf[4096], first[16];
	size_t got = 0;
	double deadline;
	int fd, tries;

	server();
	http_get_stats(srv, &before);
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (tries = 0;; tries++) {
		/*
		 * From 127.0.0.2-127.0.1.255 in turn: the server closes first,
		 * so its side keeps each connection in TIME_WAIT for a minute,
		 * and a new connection from the same address and port would
		 * wait for SYN retries (seconds) to get through.
		 */
		struct sockaddr_in from = { .sin_family = AF_INET };

		from.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + (conns++ % 510));
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		FZ_CHECK(fd >= 0);
		FZ_CHECK(!bind(fd, (struct sockaddr *)&from, sizeof(from)));
		if (!connect_wait(fd, (struct sockaddr *)&a, sizeof(a)))
			break;
		/* out of local ports (this machine, not memhp): wait a bit */
		if (errno != EADDRNOTAVAIL || tries == 100) {
			fz_err("fuzz_http: connect to 127.0.0.1:%u: %s\n", port,
			       strerror(errno));
			abort();
		}
		close(fd);
		usleep(20000);
	}
	/* the server may close early (bad request): ignore EPIPE */
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			break;
		p += w;
		n -= (size_t)w;
	}
	shutdown(fd, SHUT_WR);
	memset(first, 0, sizeof(first));
	deadline = now() + 2.0;
	for (;;) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		double left = deadline - now();
		ssize_t r;

		if (left <= 0 || poll(&pf, 1, (int)(left * 1000) + 1) <= 0)
			break;
		r = recv(fd, buf, sizeof(buf), 0);
		if (r <= 0)
			break;
		if (got < sizeof(first) - 1)
			memcpy(first + got, buf,
			       (size_t)r < sizeof(first) - 1 - got ?
				       (size_t)r : sizeof(first) - 1 - got);
		got += (size_t)r;
	}
	/* no TIME_WAIT left behind: loops of connections stay cheap */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	if (getenv("MEMHP_FUZZ_DUMP")) /* debugging */
		fz_err("fuzz_http: %zu bytes back: %.15s\n", got, first);
	if (got >= 5)
		FZ_CHECK(!strncmp(first, "HTTP/", 5));
	http_get_stats(srv, &after);
	FZ_CHECK(after.requests >= before.requests);
	FZ_CHECK(after.metrics >= before.metrics && after.bytes >= before.bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s;
	char sel, *str;

	if (!size)
		return 0;
	s = strchr(sels, data[0]);
	sel = s && data[0] ? *s : sels[data[0] % (sizeof(sels) - 1)];
	data++, size--;
	switch (sel) {
	case 'l':
		listen_addr(data, size);
		break;
	case 'a':
		str = cstr(data, size);
		http_accepts_gzip(str);
		free(str);
		break;
	case 'z':
		gzip_roundtrip(data, size);
		break;
	case 'r':
		request(data, size);
		break;
	}
	return 0;
}
