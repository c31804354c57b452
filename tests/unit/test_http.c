// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the /metrics HTTP server (user/lib/http.c), on 127.0.0.1. */
#include <arpa/inet.h>
#include <dirent.h>
#include <sys/syscall.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "http.h"

static const char body_text[] = "# HELP t_x x\n# TYPE t_x gauge\nt_x 1\n";
static int render_fail;
static int renders;

static int render(void *ctx, struct prom_buf *b)
{
	int i;

	renders++;
	if (render_fail)
		return -ENOMEM;
	/* big enough to be worth compressing */
	for (i = 0; i < 200; i++)
		prom_printf(b, "%s", body_text);
	return 0;
}

/* One request on a new connection; returns the whole response (malloc'ed),
 * read until the server closes or 5 s pass. */
static char *request(uint16_t port, const char *req, size_t *len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap + 1);
	struct timespec t0, t;
	int fd;

	assert_non_null(buf);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 5)
			break;
		if (poll(&p, 1, 500) <= 0)
			continue;
		r = read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == cap)
			break;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void test_parse_listen(void **state)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[160];
	static const char *const bad[] = {
		"", "9435", "127.0.0.1", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:65536",
		"example.com:9435", "localhost6:80", "::1:9435", "[::1]9435", "[]:1", "[::1]:",
		"1.2.3.4:-1", ":", ":x",
		"1.2.3.4:+5", "999.1.1.1:80",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:1",
	};
	size_t i;

	assert_int_equal(http_parse_listen("127.0.0.1:9435", &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9435);
	assert_int_equal(http_parse_listen("[::1]:0", &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(http_parse_listen("0.0.0.0:65535", &ss, &sl, err, sizeof(err)), 0);
	/* node_exporter's habits: ":PORT" every IPv4 address, localhost the loopback */
	assert_int_equal(http_parse_listen(":9435", &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(((struct sockaddr_in *)&ss)->sin_addr.s_addr, htonl(INADDR_ANY));
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9435);
	assert_int_equal(http_parse_listen("localhost:80", &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(((struct sockaddr_in *)&ss)->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_equal(http_parse_listen(HTTP_DEFAULT_LISTEN, &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 10435);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(http_parse_listen(bad[i], &ss, &sl, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "invalid listen address"));
	}
	assert_int_equal(http_parse_listen(NULL, &ss, &sl, err, sizeof(err)), -EINVAL);
}

static void test_accepts_gzip(void **state)
{
	assert_true(http_accepts_gzip("gzip"));
	assert_true(http_accepts_gzip("deflate, gzip;q=0.5"));
	assert_true(http_accepts_gzip("GZIP"));
	assert_true(http_accepts_gzip("x-gzip"));
	assert_true(http_accepts_gzip("*"));
	assert_true(http_accepts_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
	assert_false(http_accepts_gzip(NULL));
	assert_false(http_accepts_gzip(""));
	assert_false(http_accepts_gzip("identity"));
	assert_false(http_accepts_gzip("gzip;q=0"));
	assert_false(http_accepts_gzip("gzip;q=0, *"));
	assert_false(http_accepts_gzip("*;q=0"));
	assert_false(http_accepts_gzip("gzipx"));
	assert_false(http_accepts_gzip("deflate"));
	assert_false(http_accepts_gzip(",,,;;;q=q==="));
}

static void test_gzip_roundtrip(void **state)
{
	char in[10000], back[12000], *z;
	size_t zl, i;
	uLongf bl = sizeof(back);
	z_stream zs = { 0 };

	for (i = 0; i < sizeof(in); i++)
		in[i] = "memhp_blocks 1\n"[i % 15];
	assert_int_equal(http_gzip(in, sizeof(in), &z, &zl), 0);
	assert_true(zl < sizeof(in) / 4);
	assert_int_equal((unsigned char)z[0], 0x1f); /* gzip magic */
	assert_int_equal((unsigned char)z[1], 0x8b);
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (Bytef *)z;
	zs.avail_in = (uInt)zl;
	zs.next_out = (Bytef *)back;
	zs.avail_out = (uInt)bl;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	assert_int_equal(zs.total_out, sizeof(in));
	assert_memory_equal(in, back, sizeof(in));
	inflateEnd(&zs);
	free(z);
	assert_int_equal(http_gzip("", 0, &z, &zl), 0);
	free(z);
}

static struct http_server *start(uint16_t *port)
{
	struct http_server *h;
	struct http_opts o = { .listen = "127.0.0.1:0", .render = render, .max_conns = 4,
			       .timeout_s = 2, .prog = "test_http" };
	char err[256];

	assert_int_equal(http_start(&h, &o, err, sizeof(err)), 0);
	*port = http_port(h);
	assert_true(*port > 0);
	return h;
}

static void test_serve(void **state)
{
	uint16_t port;
	struct http_server *h = start(&port);
	struct http_stats st;
	size_t len;
	char *r;

	r = request(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &len);
	assert_non_null(strstr(r, "HTTP/1.1 200"));
	assert_non_null(strstr(r, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	assert_null(strstr(r, "Content-Encoding"));
	assert_non_null(strstr(r, "\r\n\r\n# HELP t_x x\n"));
	free(r);

	r = request(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n"
			  "Connection: close\r\n\r\n", &len);
	assert_non_null(strstr(r, "HTTP/1.1 200"));
	assert_non_null(strstr(r, "Content-Encoding: gzip\r\n"));
	{
		char *bodyp = strstr(r, "\r\n\r\n") + 4;
		size_t bl = len - (size_t)(bodyp - r);
		char out[20000];
		z_stream zs = { 0 };

		assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
		zs.next_in = (Bytef *)bodyp;
		zs.avail_in = (uInt)bl;
		zs.next_out = (Bytef *)out;
		zs.avail_out = sizeof(out);
		assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
		assert_int_equal(zs.total_out, 200 * (sizeof(body_text) - 1));
		inflateEnd(&zs);
	}
	free(r);

	r = request(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
			  "Connection: close\r\n\r\n", &len);
	assert_non_null(strstr(r, "HTTP/1.1 405"));
	assert_non_null(strstr(r, "Allow: GET\r\n"));
	free(r);
	r = request(port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &len);
	assert_non_null(strstr(r, "HTTP/1.1 405"));
	free(r);
	r = request(port, "GET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &len);
	assert_non_null(strstr(r, "HTTP/1.1 404"));
	free(r);
	r = request(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &len);
	assert_non_null(strstr(r, "HTTP/1.1 200"));
	assert_non_null(strstr(r, "text/html"));
	assert_non_null(strstr(r, "href=\"/metrics\""));
	free(r);
	r = request(port, "GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &len);
	assert_non_null(strstr(r, "HTTP/1.1 200"));
	free(r);

	/* A request bigger than the per-connection memory: refused. */
	{
		size_t big = 64 * 1024;
		char *req = malloc(big + 200);

		assert_non_null(req);
		strcpy(req, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ");
		memset(req + strlen(req), 'a', big);
		strcpy(req + strlen("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ") + big,
		       "\r\nConnection: close\r\n\r\n");
		r = request(port, req, &len);
		assert_null(strstr(r, "HTTP/1.1 200"));
		free(r);
		free(req);
	}

	render_fail = 1;
	r = request(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &len);
	assert_non_null(strstr(r, "HTTP/1.1 500"));
	free(r);
	render_fail = 0;

	http_get_stats(h, &st);
	assert_int_equal(st.metrics, 3);
	assert_int_equal(st.gzip, 1);
	assert_int_equal(st.not_found, 1);
	assert_int_equal(st.landing, 1);
	assert_int_equal(st.bad_method, 2);
	assert_int_equal(st.errors, 1);
	http_stop(h);
}

/* Idle connections beyond the limit are refused, the server keeps serving,
 * and idle ones are dropped after the timeout. */
static void test_limits(void **state)
{
	uint16_t port;
	struct http_server *h = start(&port);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fds[8], i;
	size_t len;
	char *r;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 8; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fds[i] >= 0);
		assert_int_equal(connect(fds[i], (struct sockaddr *)&a, sizeof(a)), 0);
	}
	usleep(300000);
	for (i = 0; i < 8; i++)
		close(fds[i]);
	usleep(300000);
	r = request(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &len);
	assert_non_null(strstr(r, "HTTP/1.1 200"));
	free(r);
	http_stop(h);
}

static void test_bad_start(void **state)
{
	struct http_server *h, *h2;
	struct http_opts o = { .listen = "127.0.0.1:0", .render = render };
	char err[256], addr[64];

	assert_int_equal(http_start(&h, &o, err, sizeof(err)), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", http_port(h));
	o.listen = addr;
	o.prog = "test_http (an address-in-use message is expected)";
	assert_int_equal(http_start(&h2, &o, err, sizeof(err)), -EADDRINUSE);
	assert_null(h2);
	o.listen = "bogus";
	assert_int_equal(http_start(&h2, &o, err, sizeof(err)), -EINVAL);
	o.listen = "127.0.0.1:0";
	o.render = NULL;
	assert_int_equal(http_start(&h2, &o, err, sizeof(err)), -EINVAL);
	http_stop(h);
	http_stop(NULL);
}

/* Uid and CapEff of one thread of this process, from /proc. */
static int thread_creds(const char *tid, unsigned int *uid, unsigned long long *capeff)
{
	char path[128], line[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%s/status", tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Uid: %u", uid) == 1)
			found |= 1;
		if (sscanf(line, "CapEff: %llx", capeff) == 1)
			found |= 2;
	}
	fclose(f);
	return found == 3 ? 0 : -1;
}

/* The server's threads run as nobody with no capabilities; ours stays. */
static void test_threads_unprivileged(void **state)
{
	char self[32];
	unsigned int uid0, uid;
	unsigned long long cap0, cap;
	struct http_server *h;
	uint16_t port;
	struct dirent *d;
	int others = 0;
	DIR *dir;

	(void)state;
	snprintf(self, sizeof(self), "%ld", (long)syscall(SYS_gettid));
	assert_int_equal(thread_creds(self, &uid0, &cap0), 0);
	if (uid0 != 0)
		skip(); /* the drop is root's: nothing to drop otherwise */
	h = start(&port);
	dir = opendir("/proc/self/task");
	assert_non_null(dir);
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' || !strcmp(d->d_name, self))
			continue;
		assert_int_equal(thread_creds(d->d_name, &uid, &cap), 0);
		assert_int_equal(uid, 65534);
		assert_int_equal(cap, 0);
		others++;
	}
	closedir(dir);
	assert_true(others >= 1);
	assert_int_equal(thread_creds(self, &uid, &cap), 0);
	assert_int_equal(uid, uid0);
	assert_true(cap == cap0);
	/* a GET announcing a body is refused at once, nothing rendered */
	{
		size_t len;
		char *r = request(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
					"Connection: close\r\n\r\nhello", &len);

		assert_non_null(strstr(r, "HTTP/1.1 400"));
		assert_null(strstr(r, "t_x 1"));
		free(r);
		r = request(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
				  "Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n", &len);
		assert_non_null(strstr(r, "HTTP/1.1 400"));
		free(r);
		r = request(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
				  "Connection: close\r\n\r\n", &len);
		assert_non_null(strstr(r, "HTTP/1.1 200"));
		free(r);
	}
	/* and it serves */
	{
		size_t len;
		char *r = request(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
				  &len);

		assert_non_null(strstr(r, "HTTP/1.1 200"));
		free(r);
	}
	http_stop(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_listen), cmocka_unit_test(test_accepts_gzip),
		cmocka_unit_test(test_gzip_roundtrip), cmocka_unit_test(test_serve),
		cmocka_unit_test(test_limits), cmocka_unit_test(test_bad_start),
		cmocka_unit_test(test_threads_unprivileged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
