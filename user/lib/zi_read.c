// SPDX-License-Identifier: GPL-2.0
/*
 * The small, defensive file and text readers shared by the procfs, sysfs
 * and firmware readers (zi_read.h), and zi_parse_u64()/zi_parse_bool().
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hexdigit.h"
#include "zi_read.h"
#include "zoneinfo.h"

int zi_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int base = 10;
	int d;
	const char *p = s;

	*out = 0;
	if (!*p)
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (!*p)
			return -EINVAL;
	}
	for (; *p; p++) {
		d = hex_digit_value((unsigned char)*p);
		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - (unsigned int)d) / base)
			return -ERANGE;
		v = v * base + (unsigned int)d;
	}
	*out = v;
	return 0;
}

/* Decimal digits only. */
int parse_dec(const char *s, uint64_t *out)
{
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	return zi_parse_u64(s, out);
}

int zi_parse_bool(const char *s)
{
	if (!strcmp(s, "Y") || !strcmp(s, "y") || !strcmp(s, "1"))
		return 1;
	if (!strcmp(s, "N") || !strcmp(s, "n") || !strcmp(s, "0"))
		return 0;
	return -1;
}

/* Read at most @max bytes of @path into a NUL-terminated buffer. */
FILE *zi_fopen_regular(const char *path)
{
	/* O_NONBLOCK: a FIFO planted in a --sysroot tree must not hang us */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

int read_all(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);
	int fd, err;

	*buf = NULL;
	*len = 0;
	if (!b)
		return -ENOMEM;
	/* sysfs and /proc files are regular; a FIFO or device in a --sysroot
	 * tree is refused instead of blocking (O_NONBLOCK for the open) */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		free(b);
		return err;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		free(b);
		return -EINVAL;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap >= max)
				break;
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(b, cap + 1);
			if (!nb) {
				close(fd);
				free(b);
				return -ENOMEM;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			close(fd);
			free(b);
			return err;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* A small sysfs value: first line, trimmed; "" if unreadable. */
int read_word(const char *path, char *out, size_t outlen)
{
	char *buf, *p, *e;
	size_t len;
	int rc;

	out[0] = '\0';
	rc = read_all(path, 4096, &buf, &len);
	if (rc)
		return rc;
	p = buf;
	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strcspn(p, "\n");
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	snprintf(out, outlen, "%.*s", (int)(e - p), p);
	free(buf);
	return 0;
}

/* Split @line (modified) into at most @max blank-separated words. */
int split_words(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p)
			break;
		if (n == max)
			return n + 1; /* too many */
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

/* Next line of [*pos, end): copied (NULs become blanks) into @line. */
bool next_line(const char *buf, size_t len, size_t *pos, char *line,
	       size_t linesz, bool *cut)
{
	size_t i = *pos, n = 0;

	if (i >= len)
		return false;
	*cut = false;
	for (; i < len && buf[i] != '\n'; i++) {
		if (n + 1 < linesz)
			line[n++] = buf[i] ? buf[i] : ' ';
		else
			*cut = true;
	}
	line[n] = '\0';
	*pos = i < len ? i + 1 : i;
	return true;
}
