// SPDX-License-Identifier: GPL-2.0
/* The exposition's text buffer and label escaping (see prom.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"

void prom_buf_init(struct prom_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void prom_buf_reset(struct prom_buf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = '\0';
}

void prom_buf_free(struct prom_buf *b)
{
	free(b->p);
	prom_buf_init(b);
}

bool prom_buf_reserve(struct prom_buf *b, size_t more)
{
	size_t max = b->max ? b->max : PROM_MAX_OUTPUT, cap;
	char *np;

	if (b->oom)
		return false;
	if (more >= max || b->len + more + 1 > max) {
		b->oom = true;
		return false;
	}
	if (b->len + more + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4096;
	/* a first reservation is a size known in advance: take it as is */
	if (!b->cap && cap < more + 1)
		cap = more + 1;
	while (cap < b->len + more + 1)
		cap *= 2;
	if (cap > max)
		cap = max;
	np = realloc(b->p, cap);
	if (!np) {
		b->oom = true;
		return false;
	}
	b->p = np;
	b->cap = cap;
	return true;
}

void prom_printf(struct prom_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom || !prom_buf_reserve(b, 256))
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (!prom_buf_reserve(b, (size_t)n + 1))
			return;
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0 || (size_t)n >= b->cap - b->len) {
			b->oom = true;
			return;
		}
	}
	b->len += (size_t)n;
}

void prom_label_value(struct prom_buf *b, const char *s, size_t max)
{
	size_t i;

	if (!s)
		s = "";
	/* even an empty value terminates the buffer: reserve before writing */
	if (!prom_buf_reserve(b, 1))
		return;
	for (i = 0; i < max && s[i]; i++) {
		if (!prom_buf_reserve(b, 2))
			return;
		switch (s[i]) {
		case '\\':
			b->p[b->len++] = '\\';
			b->p[b->len++] = '\\';
			break;
		case '"':
			b->p[b->len++] = '\\';
			b->p[b->len++] = '"';
			break;
		case '\n':
			b->p[b->len++] = '\\';
			b->p[b->len++] = 'n';
			break;
		default:
			b->p[b->len++] = s[i];
		}
	}
	b->p[b->len] = '\0';
}
