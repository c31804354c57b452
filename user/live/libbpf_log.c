// SPDX-License-Identifier: GPL-2.0
/*
 * libbpf's log: printed only with -v, captured around loads, and read for
 * why a load failed (see libbpf_log.h). Split from the loader, which uses
 * it to degrade per probe; tools/compat.c uses it for its matrix.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "libbpf_log.h"

static bool verbose_libbpf;

/* libbpf's messages while a capture runs (loader_log_start()). */
static struct {
	bool on, debug;
	char *buf;
	size_t len, cap;
} cap;

#define LOG_CAP_MAX (4u << 20) /* debug logs of a whole object stay below */

static void log_append(const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n <= 0 || cap.len + n + 1 > LOG_CAP_MAX)
		return;
	if (cap.len + n + 1 > cap.cap) {
		size_t c = cap.cap ? cap.cap : 16384;
		char *b;

		while (c < cap.len + n + 1)
			c *= 2;
		b = realloc(cap.buf, c);
		if (!b)
			return;
		cap.buf = b;
		cap.cap = c;
	}
	vsnprintf(cap.buf + cap.len, n + 1, fmt, ap);
	cap.len += n;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (cap.on && (level != LIBBPF_DEBUG || cap.debug)) {
		va_list aq;

		va_copy(aq, ap);
		log_append(fmt, aq);
		va_end(aq);
	}
	if (!verbose_libbpf)
		return 0; /* the loader reports failures itself, in one place */
	return vfprintf(stderr, fmt, ap);
}

void loader_log_init(bool verbose)
{
	verbose_libbpf = verbose;
	libbpf_set_print(libbpf_print);
}

void loader_log_start(bool debug)
{
	libbpf_set_print(libbpf_print);
	cap.on = true;
	cap.debug = debug;
	cap.len = 0;
	if (cap.buf)
		cap.buf[0] = '\0';
}

const char *loader_log_stop(void)
{
	cap.on = false;
	return cap.buf ? cap.buf : "";
}

/* Copies the line at @p (up to the newline) to @out. */
static void copy_line(const char *p, char *out, size_t len)
{
	size_t n = strcspn(p, "\n");

	snprintf(out, len, "%.*s", (int)n, p);
}

/* "<byte_off> [45] struct memory_block.online_type (0:2 @ offset 16)" -> the type.field */
static void relo_spec_field(const char *spec, char *out, size_t len)
{
	const char *p = spec, *end;

	if (*p == '<' && (end = strchr(p, '>')))
		p = end + 1;
	p += strspn(p, " ");
	if (*p == '[' && (end = strchr(p, ']')))
		p = end + 1;
	p += strspn(p, " ");
	end = p + strcspn(p, "\n");
	if (strstr(p, " (") && strstr(p, " (") < end)
		end = strstr(p, " (");
	snprintf(out, len, "%.*s", (int)(end - p), p);
}

static bool log_noise(const char *line, size_t n)
{
	static const char *const noise[] = { "processed ", "verification time", "stack depth",
					     "-- END PROG LOAD LOG", "libbpf: " };
	size_t i;

	if (!n)
		return true;
	for (i = 0; i < sizeof(noise) / sizeof(noise[0]); i++)
		if (!strncmp(line, noise[i], strlen(noise[i])))
			return true;
	return false;
}

/* The verifier's error: the last line of its log that is not statistics. */
static bool verifier_error(const char *begin, char *out, size_t len)
{
	const char *end = strstr(begin, "-- END PROG LOAD LOG");
	const char *p, *best = NULL;

	if (!end)
		end = begin + strlen(begin);
	begin = strchr(begin, '\n');
	for (p = begin ? begin + 1 : end; p < end;) {
		size_t n = strcspn(p, "\n");

		if (!log_noise(p, n))
			best = p;
		p += n + 1;
	}
	if (!best)
		return false;
	copy_line(best, out, len);
	return true;
}

int loader_log_reason(const char *log, char *prog, size_t proglen, char *why, size_t whylen)
{
	static const char *const failed[] = { "': BPF program load failed: ", "': failed to load: ",
					      "': failed to relocate", ": failed to relocate: " };
	const char *p, *name = NULL, *msg = NULL, *vlog, *relo;
	bool relocating = false;
	char buf[160];
	size_t i;

	prog[0] = why[0] = '\0';
	/* the first program libbpf says failed */
	for (p = log; (p = strstr(p, "prog '")); p++) {
		const char *q = p + 6, *end = strchr(q, '\'');
		const char *eol = q + strcspn(q, "\n");

		if (!end || end > eol)
			continue;
		for (i = 0; i < sizeof(failed) / sizeof(failed[0]) && !msg; i++) {
			const char *f = strstr(end, failed[i]);

			if (f && f < eol) {
				msg = f + strlen(failed[i]);
				relocating = i >= 2; /* libbpf could not even relocate it */
			}
		}
		if (msg) {
			name = q;
			snprintf(prog, proglen, "%.*s", (int)(end - q), q);
			break;
		}
	}
	if (!name) {
		/* nothing named: the first warning libbpf gave, if any */
		p = strstr(log, "libbpf: ");
		if (p)
			copy_line(p + 8, why, whylen);
		return -1;
	}
	vlog = strstr(name, "-- BEGIN PROG LOAD LOG --");
	relo = strstr(vlog ? vlog : name, "failed to resolve CO-RE relocation ");
	if (relo) {
		relo_spec_field(relo + strlen("failed to resolve CO-RE relocation "), buf,
				sizeof(buf));
		snprintf(why, whylen, "CO-RE relocation failed: %s", buf);
	} else if (vlog && verifier_error(vlog, buf, sizeof(buf))) {
		snprintf(why, whylen, "verifier rejected: %s", buf);
	} else {
		copy_line(msg[0] == ':' ? msg + 2 : msg, buf, sizeof(buf));
		/* "failed to load: -22" says less than strerror */
		snprintf(why, whylen, "%s%s", relocating ? "CO-RE relocation failed: " : "",
			 buf[0] == '-' && atoi(buf + 1) > 0 ? strerror(atoi(buf + 1)) : buf);
	}
	return 0;
}
