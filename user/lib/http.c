// SPDX-License-Identifier: GPL-2.0
/* /metrics over HTTP with libmicrohttpd (see http.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>
#include <zlib.h>

#include "http.h"
#include "privs.h"

struct http_server {
	struct MHD_Daemon *d;
	struct http_opts o;
	pthread_mutex_t lock; /* stats */
	struct http_stats st;
	uint16_t port;
	/* Length of the last body rendered: the next one is about as long,
	 * so its buffer is sized once instead of doubled a dozen times
	 * (copies, and up to twice the memory, with --per-block). */
	size_t last_len;
};

int http_parse_listen(const char *s, struct sockaddr_storage *ss,
		      socklen_t *len, char *err, size_t errlen)
{
	char host[64];
	const char *colon, *port;
	unsigned long p;
	char *end;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (!s || !*s || strlen(s) > 80)
		goto bad;
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			goto bad;
		hl = (size_t)(rb - s - 1);
		if (!hl || hl >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		port = rb + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			goto bad;
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, s, hl);
		host[hl] = '\0';
		port = colon + 1;
		/*
		 * node_exporter's habits: ":PORT" is every IPv4 address, and
		 * "localhost" is the loopback. Other names are refused, not
		 * resolved: where a root agent listens must not depend on DNS.
		 */
		if (!hl)
			snprintf(host, sizeof(host), "0.0.0.0");
		else if (!strcmp(host, "localhost"))
			snprintf(host, sizeof(host), "127.0.0.1");
	}
	if (!*port || !isdigit((unsigned char)*port))
		goto bad;
	errno = 0;
	p = strtoul(port, &end, 10);
	if (errno || *end || p > 65535)
		goto bad;
	if (s[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)p);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)p);
		*len = sizeof(*a);
	}
	return 0;
bad:
	snprintf(err, errlen,
		 "invalid listen address '%.80s' (want ADDR:PORT with a numeric address, "
		 "localhost or nothing before the colon, e.g. 127.0.0.1:" HTTP_DEFAULT_PORT
		 ", [::1]:" HTTP_DEFAULT_PORT ", :" HTTP_DEFAULT_PORT ")",
		 s ? s : "");
	return -EINVAL;
}

/* Accept-Encoding: "gzip", "deflate, gzip;q=0.5", "*", "gzip;q=0" ... */
bool http_accepts_gzip(const char *ae)
{
	bool star = false, gzip = false, gzip_seen = false;
	const char *p = ae;
	int items = 0;

	if (!ae)
		return false;
	while (*p && items++ < 64) {
		char tok[32];
		size_t n = 0;
		double q = 1.0;
		const char *e;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t') {
			if (n + 1 < sizeof(tok))
				tok[n++] = *p;
			p++;
		}
		tok[n] = '\0';
		e = p;
		while (*e && *e != ',')
			e++;
		/* parameters up to the next comma: look for q= */
		while (p < e) {
			if ((*p == 'q' || *p == 'Q') && p[1] == '=') {
				char qb[16];
				size_t qn = 0;

				p += 2;
				while (p < e && qn + 1 < sizeof(qb) && *p != ';' && *p != ' ')
					qb[qn++] = *p++;
				qb[qn] = '\0';
				q = strtod(qb, NULL);
				if (!(q >= 0) || q > 1)
					q = 0;
				continue;
			}
			p++;
		}
		if (!strcasecmp(tok, "gzip") || !strcasecmp(tok, "x-gzip")) {
			gzip_seen = true;
			gzip = q > 0;
		} else if (!strcmp(tok, "*")) {
			star = q > 0;
		}
	}
	return gzip_seen ? gzip : star;
}

int http_gzip(const char *in, size_t len, char **out, size_t *outlen)
{
	z_stream zs;
	size_t cap;
	char *buf;
	int rc;

	memset(&zs, 0, sizeof(zs));
	if (len > UINT32_MAX)
		return -EIO;
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	cap = deflateBound(&zs, len) + 64;
	buf = malloc(cap);
	if (!buf) {
		deflateEnd(&zs);
		return -ENOMEM;
	}
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)buf;
	zs.avail_out = (uInt)cap;
	rc = deflate(&zs, Z_FINISH);
	if (rc != Z_STREAM_END) {
		deflateEnd(&zs);
		free(buf);
		return -EIO;
	}
	*outlen = zs.total_out;
	*out = buf;
	deflateEnd(&zs);
	return 0;
}

static void count(struct http_server *h, uint64_t *field, size_t bytes)
{
	pthread_mutex_lock(&h->lock);
	h->st.requests++;
	(*field)++;
	h->st.bytes += bytes;
	pthread_mutex_unlock(&h->lock);
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned int code,
				  const char *text, bool allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static const char landing_page[] =
	"<!DOCTYPE html>\n<html><head><title>memhp exporter</title></head><body>\n"
	"<h1>memhp exporter</h1>\n"
	"<p>Linux memory hotplug, seen by eBPF: blocks, zones, memory groups, "
	"events, findings.</p>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n";

static enum MHD_Result reply_html(struct MHD_Connection *c, unsigned int code,
				  const char *html)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(html), (void *)html,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
			       const char *url, const char *method,
			       const char *version, const char *upload,
			       size_t *upload_size, void **req)
{
	struct http_server *h = cls;
	struct MHD_Response *r;
	struct prom_buf b;
	const char *ae, *cl, *te;
	char *body;
	size_t len;
	bool gz = false;
	enum MHD_Result ret;

	if (strcmp(method, MHD_HTTP_METHOD_GET)) {
		count(h, &h->st.bad_method, 0);
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "405 method not allowed: only GET\n", true);
	}
	/* The first call comes with the headers, before any body: a body is
	 * announced by Content-Length or Transfer-Encoding. */
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	if (*upload_size || te || (cl && strspn(cl, "0") != strlen(cl))) {
		/* A GET with a body: refuse it (the connection is closed). */
		*upload_size = 0;
		count(h, &h->st.errors, 0);
		return reply_text(c, MHD_HTTP_BAD_REQUEST, "400 GET with a body\n", false);
	}
	if (!strcmp(url, "/")) {
		/* a landing page, as Prometheus exporters have */
		count(h, &h->st.landing, 0);
		return reply_html(c, MHD_HTTP_OK, landing_page);
	}
	if (strcmp(url, "/metrics")) {
		count(h, &h->st.not_found, 0);
		return reply_text(c, MHD_HTTP_NOT_FOUND, "404 not found: try /metrics\n",
				  false);
	}
	prom_buf_init(&b);
	len = __atomic_load_n(&h->last_len, __ATOMIC_RELAXED);
	if (len && !prom_buf_reserve(&b, len + len / 16)) {
		prom_buf_free(&b); /* no room for the guess: grow as needed */
		prom_buf_init(&b);
	}
	if (h->o.render(h->o.ctx, &b) || b.oom || !b.p) {
		prom_buf_free(&b);
		count(h, &h->st.errors, 0);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "500 cannot render the metrics\n", false);
	}
	body = b.p;
	len = b.len;
	__atomic_store_n(&h->last_len, len, __ATOMIC_RELAXED);
	ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (http_accepts_gzip(ae)) {
		char *z;
		size_t zl;

		if (!http_gzip(b.p, b.len, &z, &zl)) {
			free(b.p);
			body = z;
			len = zl;
			gz = true;
		}
	}
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, HTTP_CONTENT_TYPE);
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (gz)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	pthread_mutex_lock(&h->lock);
	h->st.requests++;
	h->st.metrics++;
	h->st.gzip += gz;
	h->st.bytes += len;
	pthread_mutex_unlock(&h->lock);
	return ret;
}

static void logger(void *cls, const char *fmt, va_list ap)
{
	struct http_server *h = cls;
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	fprintf(h->o.err ? h->o.err : stderr, "%s: http: %s\n", h->o.prog ? h->o.prog : "memhp",
		msg);
}

static int listen_socket(const struct sockaddr_storage *ss, socklen_t sl)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1, e;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)ss, sl) || listen(fd, 16)) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

struct start_args {
	struct http_server *h;
	unsigned int flags;
	int fd;
	int rc;
};

/*
 * The HTTP side holds no privilege: this thread becomes nobody with no
 * capabilities, then starts libmicrohttpd, whose threads inherit that.
 */
static void *start_thread(void *arg)
{
	struct start_args *a = arg;
	struct http_server *h = a->h;

	a->rc = privs_thread_drop_all();
	if (a->rc)
		return NULL;
	h->d = MHD_start_daemon(a->flags, 0, NULL, NULL, handler, h,
				MHD_OPTION_EXTERNAL_LOGGER, logger, h,
				MHD_OPTION_LISTEN_SOCKET, a->fd,
				MHD_OPTION_CONNECTION_LIMIT, h->o.max_conns,
				MHD_OPTION_CONNECTION_TIMEOUT, h->o.timeout_s,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, h->o.max_request,
				MHD_OPTION_END);
	a->rc = h->d ? 0 : -EIO;
	return NULL;
}

static int start_unprivileged(struct http_server *h, unsigned int flags, int fd)
{
	struct start_args a = { h, flags, fd, -EIO };
	pthread_t t;
	int rc = pthread_create(&t, NULL, start_thread, &a);

	if (rc) {
		close(fd);
		return -rc;
	}
	pthread_join(t, NULL);
	if (a.rc)
		close(fd); /* MHD owns it only once started */
	return a.rc;
}

int http_start(struct http_server **out, const struct http_opts *o,
	       char *err, size_t errlen)
{
	struct http_server *h;
	struct sockaddr_storage ss;
	socklen_t sl;
	const union MHD_DaemonInfo *di;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	int rc;

	*out = NULL;
	if (!o->render) {
		snprintf(err, errlen, "no render callback");
		return -EINVAL;
	}
	rc = http_parse_listen(o->listen ? o->listen : HTTP_DEFAULT_LISTEN, &ss, &sl,
			       err, errlen);
	if (rc)
		return rc;
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h->o = *o;
	if (!h->o.max_conns)
		h->o.max_conns = 16;
	if (!h->o.timeout_s)
		h->o.timeout_s = 10;
	if (!h->o.max_request)
		h->o.max_request = 16384;
	pthread_mutex_init(&h->lock, NULL);
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* Bound here, with the caller's privileges (a port below 1024 needs
	 * them); served by threads that have none (start_unprivileged()). */
	rc = listen_socket(&ss, sl);
	if (rc < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s",
			 o->listen ? o->listen : HTTP_DEFAULT_LISTEN, strerror(-rc));
		pthread_mutex_destroy(&h->lock);
		free(h);
		return rc;
	}
	rc = start_unprivileged(h, flags, rc);
	if (rc == -EPERM) {
		snprintf(err, errlen,
			 "cannot serve on %s: the HTTP thread cannot leave uid 0 for nobody "
			 "(65534), and memhp does not serve the network as root; it needs "
			 "CAP_SETUID and CAP_SETGID (systemd: CapabilityBoundingSet=)",
			 o->listen ? o->listen : HTTP_DEFAULT_LISTEN);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return rc;
	}
	if (rc) {
		snprintf(err, errlen, "cannot serve on %s: %s",
			 o->listen ? o->listen : HTTP_DEFAULT_LISTEN, strerror(-rc));
		pthread_mutex_destroy(&h->lock);
		free(h);
		return rc;
	}
	di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = di ? di->port : 0;
	*out = h;
	return 0;
}

uint16_t http_port(const struct http_server *h)
{
	return h ? h->port : 0;
}

void http_get_stats(struct http_server *h, struct http_stats *st)
{
	pthread_mutex_lock(&h->lock);
	*st = h->st;
	pthread_mutex_unlock(&h->lock);
}

void http_stop(struct http_server *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/*
 * Debian's libmicrohttpd.a is built with HTTPS support and references
 * GnuTLS, which cannot be linked statically on Debian 12 (no static p11-kit
 * nor libunistring). memhp never enables TLS (no MHD_USE_TLS), so for the
 * static build (build/memhp-static, the lab's busybox initramfs) these
 * stand-ins satisfy the references: weak, so a real GnuTLS wins wherever it
 * is linked, and hidden, so they are never exported to shared libraries (the
 * dynamic build's libmicrohttpd.so keeps using libgnutls.so). Only
 * gnutls_global_init/deinit run (from libmicrohttpd's constructor); every
 * other one fails with GNUTLS_E_INTERNAL_ERROR should it ever be reached.
 */
#define NOTLS __attribute__((weak, visibility("hidden")))
#define NOTLS_ERR (-59) /* GNUTLS_E_INTERNAL_ERROR */
#define NOTLS_FAIL(name) \
	NOTLS long name(void); \
	NOTLS long name(void) { return NOTLS_ERR; }

NOTLS int gnutls_global_init(void);
NOTLS int gnutls_global_init(void)
{
	return 0;
}

NOTLS void gnutls_global_deinit(void);
NOTLS void gnutls_global_deinit(void)
{
}

NOTLS const char *gnutls_strerror(int error);
NOTLS const char *gnutls_strerror(int error)
{
	return "TLS is not available in this build of memhp";
}

NOTLS void *gnutls_session_get_ptr(void *session);
NOTLS void *gnutls_session_get_ptr(void *session)
{
	return NULL;
}

NOTLS void *(*gnutls_malloc)(size_t) = malloc;

NOTLS_FAIL(gnutls_alpn_set_protocols)
NOTLS_FAIL(gnutls_bye)
NOTLS_FAIL(gnutls_certificate_allocate_credentials)
NOTLS_FAIL(gnutls_certificate_free_credentials)
NOTLS_FAIL(gnutls_certificate_server_set_request)
NOTLS_FAIL(gnutls_certificate_set_dh_params)
NOTLS_FAIL(gnutls_certificate_set_retrieve_function2)
NOTLS_FAIL(gnutls_certificate_set_retrieve_function3)
NOTLS_FAIL(gnutls_certificate_set_x509_key_mem)
NOTLS_FAIL(gnutls_certificate_set_x509_key_mem2)
NOTLS_FAIL(gnutls_certificate_set_x509_trust_mem)
NOTLS_FAIL(gnutls_cipher_get)
NOTLS_FAIL(gnutls_credentials_set)
NOTLS_FAIL(gnutls_deinit)
NOTLS_FAIL(gnutls_dh_params_deinit)
NOTLS_FAIL(gnutls_dh_params_import_pkcs3)
NOTLS_FAIL(gnutls_dh_params_init)
NOTLS_FAIL(gnutls_handshake)
NOTLS_FAIL(gnutls_init)
NOTLS_FAIL(gnutls_priority_deinit)
NOTLS_FAIL(gnutls_priority_init)
NOTLS_FAIL(gnutls_priority_set)
NOTLS_FAIL(gnutls_protocol_get_version)
NOTLS_FAIL(gnutls_psk_allocate_server_credentials)
NOTLS_FAIL(gnutls_psk_free_server_credentials)
NOTLS_FAIL(gnutls_psk_set_server_credentials_function)
NOTLS_FAIL(gnutls_record_check_pending)
NOTLS_FAIL(gnutls_record_get_direction)
NOTLS_FAIL(gnutls_record_recv)
NOTLS_FAIL(gnutls_record_send)
NOTLS_FAIL(gnutls_session_set_ptr)
NOTLS_FAIL(gnutls_transport_set_int2)
