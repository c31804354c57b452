// SPDX-License-Identifier: GPL-2.0
/*
 * memhp simulate: the parser of operations and --state lines
 * (docs/simulate.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cliopt.h"
#include "simulate_ops.h"
#include "simulate_run.h"
#include "zonealgo.h"
#include "zoneinfo.h"

#define PROG SIM_PROG
#define MAX_LINE 4096
#define MAX_OPS 100000
#define MAX_LIST (1u << 20) /* blocks named by one operation */

/*
 * A size as every option takes it (cliopt_parse_size: 1.5G, 512M binary,
 * 512MB decimal), a lower-case k too (4k); else, as before, a whole
 * number (0x: hex) with a binary unit up to E, so that sizes beyond
 * cliopt's 2^53 (8E) reach the operation and fail there as the kernel
 * would refuse them.
 */
static int parse_size(const char *s, uint64_t *out)
{
	char num[64];
	size_t n = strspn(s, "0123456789abcdefABCDEFxX");
	uint64_t v, mult = 1;
	const char *suf;

	if (!(s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))) {
		n = strspn(s, "0123456789.");
		if (!n || strlen(s) >= sizeof(num))
			return -EINVAL;
		snprintf(num, sizeof(num), "%s", s);
		if (num[n] == 'k')
			num[n] = 'K';
		if (cliopt_parse_size(num, out))
			return 0;
		n = strspn(s, "0123456789");
	}
	if (!n || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n);
	num[n] = '\0';
	if (zi_parse_u64(num, &v))
		return -EINVAL;
	suf = s + n;
	if (*suf) {
		const char *units = "KMGTPE";
		const char *u = strchr(units, suf[0] == 'k' ? 'K' : suf[0]);
		int i;

		if (!u || !*u)
			return -EINVAL;
		for (i = 0; i <= u - units; i++)
			mult <<= 10;
		suf++;
		if (*suf && strcmp(suf, "iB") && strcmp(suf, "B"))
			return -EINVAL;
	}
	if (mult > 1 && v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* --- operation parser ----------------------------------------------------- */

/* "48", "48-55", "55-48", "memory48", "48,50-52". */
static int parse_list(const char *s, struct op *op, char *err, size_t errlen)
{
	char buf[MAX_LINE], *save = NULL, *tok, *w;

	snprintf(buf, sizeof(buf), "%s", s);
	for (w = buf; (tok = strtok_r(w, ",", &save)); w = NULL) {
		char *dash;
		uint64_t a, b, i, n;
		uint64_t *nl;

		if (!strncmp(tok, "memory", 6))
			tok += 6;
		dash = strchr(tok, '-');
		if (dash)
			*dash = '\0';
		if (!strncmp(tok, "0x", 2) || zi_parse_u64(tok, &a) ||
		    (dash && (!strncmp(dash + 1, "memory", 6) ?
				      zi_parse_u64(dash + 7, &b) :
				      zi_parse_u64(dash + 1, &b)))) {
			snprintf(err, errlen, "bad block list \"%s\"", s);
			return -EINVAL;
		}
		if (!dash)
			b = a;
		n = (a <= b ? b - a : a - b) + 1;
		if (n == 0 || n > MAX_LIST || op->nr_list + n > MAX_LIST) {
			snprintf(err, errlen, "too many blocks in \"%s\"", s);
			return -E2BIG;
		}
		nl = realloc(op->list, (op->nr_list + n) * sizeof(*nl));
		if (!nl) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		op->list = nl;
		for (i = 0; i < n; i++)
			op->list[op->nr_list++] = a <= b ? a + i : a - i;
	}
	if (!op->nr_list) {
		snprintf(err, errlen, "empty block list");
		return -EINVAL;
	}
	return 0;
}

struct kv {
	const char *key;
	const char *val;
};

static int parse_node(const char *v, int *nid)
{
	uint64_t n;

	if (!strncmp(v, "0x", 2) || zi_parse_u64(v, &n) || n >= ZA_MAX_NODES)
		return -EINVAL;
	*nid = (int)n;
	return 0;
}

static int set_kv(struct op *op, const char *k, const char *v, char *err,
		  size_t errlen)
{
	int b;

	if (!strcmp(k, "node")) {
		if (parse_node(v, &op->nid))
			goto bad;
	} else if (!strcmp(k, "at") &&
		   (op->kind == OP_DIMM || op->kind == OP_VMEM)) {
		if (parse_size(v, &op->at))
			goto bad;
		op->has_at = true;
	} else if (!strcmp(k, "block") &&
		   (op->kind == OP_DIMM || op->kind == OP_VMEM)) {
		if (!strncmp(v, "memory", 6))
			v += 6;
		if (zi_parse_u64(v, &op->block))
			goto bad;
		op->has_block = true;
	} else if (!strcmp(k, "align") && op->kind == OP_DIMM) {
		if (parse_size(v, &op->align) || !is_pow2(op->align))
			goto bad;
		op->has_align = true;
	} else if (!strcmp(k, "name") && op->kind == OP_DIMM) {
		if (!*v || strlen(v) >= sizeof(op->name))
			goto bad;
		snprintf(op->name, sizeof(op->name), "%s", v);
	} else if (!strcmp(k, "dev") && op->kind == OP_VMEM) {
		if (!*v || strlen(v) >= sizeof(op->name))
			goto bad;
		snprintf(op->name, sizeof(op->name), "%s", v);
	} else if (!strcmp(k, "unit") && op->kind == OP_VMEM) {
		if (parse_size(v, &op->unit) || !is_pow2(op->unit))
			goto bad;
	} else if (!strcmp(k, "region") && op->kind == OP_VMEM) {
		if (parse_size(v, &op->region) || !op->region)
			goto bad;
		op->has_region = true;
	} else if (!strcmp(k, "policy") && op->kind == OP_SET) {
		op->policy = za_policy_from_name(v);
		if (op->policy < 0)
			goto bad;
	} else if (!strcmp(k, "ratio") && op->kind == OP_SET) {
		uint64_t r;

		if (!cliopt_parse_ratio(v, &r) || r > UINT32_MAX)
			goto bad;
		op->ratio = (long long)r;
	} else if ((!strcmp(k, "numa-aware") || !strcmp(k, "movable-node")) &&
		   op->kind == OP_SET) {
		b = zi_parse_bool(v);
		if (b < 0)
			goto bad;
		if (k[0] == 'n')
			op->numa_aware = b;
		else
			op->movable_node = b;
	} else if (!strcmp(k, "auto-online") && op->kind == OP_SET) {
		op->auto_online = za_online_type_from_name(v);
		if (op->auto_online < 0)
			goto bad;
	} else if (op->kind == OP_BOOT && !strcmp(k, "zone")) {
		/* "none": an early block spanning zones (no accounting) */
		op->zone = strcmp(v, "none") ? za_zone_from_name(v) :
					       ZA_NR_ZONES;
		if (op->zone < 0)
			goto bad;
	} else if (op->kind == OP_ZONE &&
		   (!strcmp(k, "start") || !strcmp(k, "spanned") ||
		    !strcmp(k, "present") || !strcmp(k, "early") ||
		    !strcmp(k, "cma"))) {
		uint64_t x;

		if (zi_parse_u64(v, &x))
			goto bad;
		if (k[0] == 's' && k[1] == 't') {
			op->z_start = x;
			op->has_start = true;
		} else if (k[0] == 's') {
			op->z_spanned = x;
			op->has_spanned = true;
		} else if (k[0] == 'p') {
			op->z_present = x;
			op->has_present = true;
		} else if (k[0] == 'e') {
			op->z_early = x;
			op->has_early = true;
		} else {
			op->z_cma = x;
			op->has_cma = true;
		}
	} else {
		snprintf(err, errlen,
			 "unknown option \"%s\" for this operation", k);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad value for %s: \"%s\"", k, v);
	return -EINVAL;
}

static const struct {
	const char *name;
	enum op_kind kind;
	bool state_only;
} verbs[] = {
	{ "dimm", OP_DIMM, false },
	{ "virtio-mem", OP_VMEM, false },
	{ "add", OP_ADD, false },
	{ "online", OP_ONLINE, false },
	{ "offline", OP_OFFLINE, false },
	{ "remove", OP_REMOVE, false },
	{ "unplug", OP_UNPLUG, false },
	{ "online-all", OP_ONLINE_ALL, false },
	{ "set", OP_SET, false },
	{ "block-size", OP_BLOCK_SIZE, true },
	{ "page-size", OP_PAGE_SIZE, true },
	{ "boot", OP_BOOT, true },
	{ "zone", OP_ZONE, true },
};

/*
 * Parse one operation (no comment, not blank). Returns 0 or -EINVAL with
 * the reason in @err.
 */
static int parse_op(char *text, struct op *op, bool state_file, char *err,
		    size_t errlen)
{
	char *w[32], *save = NULL, *tok, *p = text;
	int n = 0, i, pos = 0;
	size_t v;

	while ((tok = strtok_r(p, " \t\r", &save))) {
		p = NULL;
		if (n == 32) {
			snprintf(err, errlen, "too many words");
			return -EINVAL;
		}
		w[n++] = tok;
	}
	if (!n) {
		snprintf(err, errlen, "empty operation");
		return -EINVAL;
	}
	op->nid = -1;
	op->online_type = ZA_MMOP_ONLINE;
	op->policy = op->numa_aware = op->movable_node = op->auto_online = -1;
	op->ratio = -1;
	op->zone = -1;
	for (v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
		if (!strcmp(w[0], verbs[v].name))
			break;
	if (v == sizeof(verbs) / sizeof(verbs[0])) {
		snprintf(err, errlen, "unknown operation \"%s\"", w[0]);
		return -EINVAL;
	}
	if (verbs[v].state_only && !state_file) {
		snprintf(err, errlen,
			 "\"%s\" is only allowed in a --state file", w[0]);
		return -EINVAL;
	}
	op->kind = verbs[v].kind;
	for (i = 1; i < n; i++) {
		char *eq = strchr(w[i], '=');

		if (eq && op->kind != OP_ZONE) {
			*eq = '\0';
			if (set_kv(op, w[i], eq + 1, err, errlen))
				return -EINVAL;
			continue;
		}
		if (eq) { /* zone NODE ZONE key=value... */
			*eq = '\0';
			if (set_kv(op, w[i], eq + 1, err, errlen))
				return -EINVAL;
			continue;
		}
		switch (op->kind) {
		case OP_DIMM:
		case OP_VMEM:
		case OP_BLOCK_SIZE:
		case OP_PAGE_SIZE:
			if (pos++ || parse_size(w[i], &op->size) || !op->size)
				goto bad_word;
			break;
		case OP_ADD:
		case OP_OFFLINE:
		case OP_REMOVE:
		case OP_BOOT:
		case OP_ONLINE:
			if (pos == 1 && op->kind == OP_ONLINE) {
				op->online_type =
					za_online_type_from_name(w[i]);
				if (op->online_type < ZA_MMOP_ONLINE)
					goto bad_word;
				pos++;
				break;
			}
			if (pos++ || parse_list(w[i], op, err, errlen))
				goto bad_list;
			break;
		case OP_ONLINE_ALL:
			op->online_type = za_online_type_from_name(w[i]);
			if (pos++ || op->online_type < ZA_MMOP_ONLINE)
				goto bad_word;
			break;
		case OP_UNPLUG:
			if (pos++ || strlen(w[i]) >= sizeof(op->name))
				goto bad_word;
			snprintf(op->name, sizeof(op->name), "%s", w[i]);
			break;
		case OP_ZONE:
			if (pos == 0) {
				if (parse_node(w[i], &op->nid))
					goto bad_word;
			} else if (pos == 1) {
				op->zone = za_zone_from_name(w[i]);
				if (op->zone < 0)
					goto bad_word;
			} else {
				goto bad_word;
			}
			pos++;
			break;
		case OP_SET:
			goto bad_word;
		}
	}
	switch (op->kind) {
	case OP_DIMM:
	case OP_VMEM:
		if (!op->size) {
			snprintf(err, errlen, "%s needs a SIZE", w[0]);
			return -EINVAL;
		}
		if (op->has_at && op->has_block) {
			snprintf(err, errlen,
				 "at= and block= exclude each other");
			return -EINVAL;
		}
		break;
	case OP_BLOCK_SIZE:
	case OP_PAGE_SIZE:
		if (!op->size || !is_pow2(op->size)) {
			snprintf(err, errlen, "%s needs a power-of-two SIZE",
				 w[0]);
			return -EINVAL;
		}
		break;
	case OP_ADD:
	case OP_ONLINE:
	case OP_OFFLINE:
	case OP_REMOVE:
		if (!op->nr_list) {
			snprintf(err, errlen, "%s needs blocks (e.g. 48-55)",
				 w[0]);
			return -EINVAL;
		}
		break;
	case OP_BOOT:
		if (!op->nr_list || op->zone < 0) {
			snprintf(err, errlen,
				 "boot needs blocks and zone=ZONE");
			return -EINVAL;
		}
		break;
	case OP_UNPLUG:
		if (!op->name[0]) {
			snprintf(err, errlen, "unplug needs a device name");
			return -EINVAL;
		}
		break;
	case OP_SET:
		if (op->policy < 0 && op->ratio < 0 && op->numa_aware < 0 &&
		    op->movable_node < 0 && op->auto_online < 0) {
			snprintf(
				err, errlen,
				"set needs policy=, ratio=, numa-aware=, movable-node= or auto-online=");
			return -EINVAL;
		}
		break;
	case OP_ZONE:
		if (pos != 2) {
			snprintf(err, errlen,
				 "zone needs NODE ZONE key=value...");
			return -EINVAL;
		}
		break;
	case OP_ONLINE_ALL:
		break;
	}
	return 0;
bad_word:
	snprintf(err, errlen, "unexpected \"%s\"", w[i]);
	return -EINVAL;
bad_list:
	if (!err[0])
		snprintf(err, errlen, "unexpected \"%s\"", w[i]);
	return -EINVAL;
}

void op_list_free(struct op_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->ops[i].list);
	free(l->ops);
	memset(l, 0, sizeof(*l));
}

/*
 * Add the operations of one line or argument (';' separates several);
 * comments start at '#'. Returns 0 or -1 after printing "SRC: reason".
 */
int add_ops(struct sim_opts *o, struct op_list *l, const char *src,
	    const char *line, size_t len, bool state_file)
{
	char buf[MAX_LINE + 1], *save = NULL, *part, *w;
	size_t i;

	if (len > MAX_LINE) {
		fprintf(o->err, PROG ": %s: line too long\n", src);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (!line[i] || (unsigned char)line[i] >= 0x80 ||
		    ((unsigned char)line[i] < 0x20 && line[i] != '\t' &&
		     line[i] != '\r')) {
			fprintf(o->err, PROG ": %s: not a text line\n", src);
			return -1;
		}
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	buf[strcspn(buf, "#")] = '\0';
	for (w = buf; (part = strtok_r(w, ";", &save)); w = NULL) {
		char err[256] = "", text[MAX_LINE + 1];
		struct op op = { 0 };
		char *t = part;
		size_t tl;

		while (*t == ' ' || *t == '\t' || *t == '\r')
			t++;
		tl = strlen(t);
		while (tl && (t[tl - 1] == ' ' || t[tl - 1] == '\t' ||
			      t[tl - 1] == '\r'))
			t[--tl] = '\0';
		if (!*t)
			continue;
		snprintf(op.src, sizeof(op.src), "%s", src);
		snprintf(op.text, sizeof(op.text), "%s", t);
		snprintf(text, sizeof(text), "%s", t);
		if (parse_op(text, &op, state_file, err, sizeof(err))) {
			fprintf(o->err, PROG ": %s: %s\n", src, err);
			free(op.list);
			return -1;
		}
		if (l->nr == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 16;
			struct op *no;

			if (l->nr >= MAX_OPS) {
				fprintf(o->err,
					PROG ": %s: too many operations\n",
					src);
				free(op.list);
				return -1;
			}
			no = realloc(l->ops, cap * sizeof(*no));
			if (!no) {
				fprintf(o->err, PROG ": out of memory\n");
				free(op.list);
				return -1;
			}
			l->ops = no;
			l->cap = cap;
		}
		l->ops[l->nr++] = op;
	}
	return 0;
}

int read_ops_file(struct sim_opts *o, const char *path,
		  struct op_list *l, bool state_file)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int rc = 0;

	if (!f) {
		fprintf(o->err, PROG ": %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		char src[160];

		lineno++;
		if (n && line[n - 1] == '\n')
			n--;
		snprintf(src, sizeof(src), "%s:%zu", name, lineno);
		if (add_ops(o, l, src, line, (size_t)n, state_file)) {
			rc = -1;
			break;
		}
	}
	if (!rc && ferror(f)) {
		fprintf(o->err, PROG ": %s: read error\n", name);
		rc = -1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

