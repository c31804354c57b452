/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small /metrics server on libmicrohttpd: one internal polling thread,
 * GET only (405 otherwise), 404 for other paths, gzip when the client
 * accepts it, bounded connections, request size and timeouts. The body is
 * produced by a render callback (which takes whatever lock it needs, renders
 * into a buffer and returns); compression and sending happen outside it.
 */
#ifndef MEMHP_HTTP_H
#define MEMHP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "prom.h"

/*
 * memhp's own port: 9435 (the old default) is ebpf_exporter's, and the
 * exporters' registry range 9100-9999 is full; 10435 is outside it, not in
 * /etc/services (netbase) and below the ephemeral range (docs/metrics.md).
 */
#define HTTP_DEFAULT_PORT "10435"
#define HTTP_DEFAULT_LISTEN "127.0.0.1:" HTTP_DEFAULT_PORT
#define HTTP_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Fill @out with the body; 0, or -errno (500 is answered). */
typedef int (*http_render_fn)(void *ctx, struct prom_buf *out);

struct http_opts {
	const char *listen;	  /* "ADDR:PORT", "[V6]:PORT"; NULL: default */
	unsigned int max_conns;	  /* 0: 16 */
	unsigned int timeout_s;	  /* idle connection timeout; 0: 10 */
	size_t max_request;	  /* memory per connection (headers); 0: 16 KiB */
	http_render_fn render;
	void *ctx;
	const char *prog; /* prefix of log messages */
	FILE *err;	  /* log messages (from the server's threads); NULL: stderr */
};

struct http_stats {
	uint64_t requests;    /* answered */
	uint64_t metrics;     /* 200 for /metrics */
	uint64_t gzip;	      /* of which compressed */
	uint64_t not_found;   /* 404 */
	uint64_t landing;     /* GET / */
	uint64_t bad_method;  /* 405 */
	uint64_t errors;      /* 500 */
	uint64_t bytes;	      /* body bytes sent (after compression) */
};

struct http_server;

/*
 * "127.0.0.1:10435", "[::1]:10435", "0.0.0.0:10435", ":10435" (every IPv4
 * address, as node_exporter reads it), "localhost:10435" (127.0.0.1); port
 * 0: any free port. Host names other than localhost are refused.
 * Names are not resolved. 0 or -EINVAL with a message.
 */
int http_parse_listen(const char *s, struct sockaddr_storage *ss,
		      socklen_t *len, char *err, size_t errlen);
/* Does an Accept-Encoding header value allow gzip? */
bool http_accepts_gzip(const char *accept_encoding);
/* gzip @len bytes; *out is malloc'ed. 0 or -ENOMEM/-EIO. */
int http_gzip(const char *in, size_t len, char **out, size_t *outlen);

int http_start(struct http_server **out, const struct http_opts *o,
	       char *err, size_t errlen);
/* The port actually bound (useful with port 0). */
uint16_t http_port(const struct http_server *h);
void http_get_stats(struct http_server *h, struct http_stats *st);
void http_stop(struct http_server *h);

#endif
