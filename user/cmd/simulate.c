// SPDX-License-Identifier: GPL-2.0
/*
 * memhp simulate: run a sequence of memory hotplug operations through the
 * kernel's zone algorithm (user/lib/zonealgo.c) starting from the live system,
 * a --sysroot tree or a --state file, and print the zone of every block and
 * the resulting MOVABLE:KERNEL ratios. Format of operations and states:
 * docs/simulate.md.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonstr.h"
#include "simulate.h"
#include "zonealgo.h"
#include "zoneinfo.h"

#define PROG "memhp simulate"
#define MAX_LINE 4096
#define MAX_OPS 100000
#define MAX_LIST (1u << 20) /* blocks named by one operation */

/* --- operations ----------------------------------------------------------- */

enum op_kind {
	OP_DIMM,
	OP_VMEM,
	OP_ADD,
	OP_ONLINE,
	OP_OFFLINE,
	OP_REMOVE,
	OP_UNPLUG,
	OP_ONLINE_ALL,
	OP_SET,
	/* --state files only */
	OP_BLOCK_SIZE,
	OP_PAGE_SIZE,
	OP_BOOT,
	OP_ZONE,
};

struct op {
	enum op_kind kind;
	char src[160];	/* "ops.txt:3", "argument 2" */
	char text[256]; /* the operation as written (cut) */
	uint64_t size;	/* bytes: dimm, virtio-mem, block-size, page-size */
	int nid;	/* -1 unset */
	bool has_at, has_block, has_region, has_align;
	uint64_t at, block, region, align, unit; /* bytes (block: an id) */
	char name[40];	/* dimm name=, virtio-mem dev=, unplug NAME */
	uint64_t *list; /* blocks, in the order given */
	size_t nr_list;
	int online_type;
	/* set */
	int policy, numa_aware, movable_node, auto_online;
	long long ratio;
	/* boot, zone */
	int zone;
	bool has_start, has_spanned, has_present, has_early, has_cma;
	uint64_t z_start, z_spanned, z_present, z_early, z_cma;
};

struct op_list {
	struct op *ops;
	size_t nr, cap;
};

/* --- results -------------------------------------------------------------- */

enum act_kind {
	ACT_REGISTER,
	ACT_UNREGISTER,
	ACT_ADD,
	ACT_ONLINE,
	ACT_OFFLINE,
	ACT_REMOVE,
};

static const char *const act_names[] = {
	[ACT_REGISTER] = "register", [ACT_UNREGISTER] = "unregister",
	[ACT_ADD] = "add",	     [ACT_ONLINE] = "online",
	[ACT_OFFLINE] = "offline",   [ACT_REMOVE] = "remove",
};

struct action {
	enum act_kind kind;
	uint64_t block; /* or group id */
	int nid, group, zone, online_type;
};

struct step {
	const struct op *op;
	struct action *acts;
	size_t nr, cap;
	char notes[4][200];
	int nr_notes;
	char error[256];
};

struct sim_opts {
	const char *sysroot, *state_file, *ops_file;
	bool json, done, usage_error;
	int policy, numa_aware, movable_node, auto_online;
	long long ratio;
	char **args;
	int nargs;
	FILE *out, *err;
};

struct sim {
	struct sim_opts *o;
	struct zi_system sys;
	bool have_state;	  /* st initialised (state files: lazily) */
	uint64_t next_block_size; /* state files: before the first block */
	struct step *steps;
	size_t nr_steps, cap_steps;
	bool silent; /* running a --state file: no steps recorded */
	unsigned int dimms, vmems;
	const char *source; /* "live", "sysroot", "state" */
};

/* --- small helpers -------------------------------------------------------- */

static int parse_size(const char *s, uint64_t *out)
{
	char num[64];
	size_t n = strspn(s, "0123456789abcdefABCDEFxX");
	uint64_t v, mult = 1;
	const char *suf;

	/* hex digits only after 0x */
	if (!(s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		n = strspn(s, "0123456789");
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

static void fmt_size(uint64_t b, char *buf, size_t len)
{
	static const char *const u[] = { "B",	"KiB", "MiB", "GiB",
					 "TiB", "PiB", "EiB" };
	int i = 0;
	uint64_t div = 1;

	while (i < 6 && b / div >= 1024) {
		div <<= 10;
		i++;
	}
	if (b % div == 0)
		snprintf(buf, len, "%" PRIu64 " %s", b / div, u[i]);
	else /* truncated, never rounded up to a value it does not reach */
		snprintf(buf, len, "%" PRIu64 ".%02" PRIu64 " %s", b / div,
			 (uint64_t)((double)(b % div) * 100 / (double)div),
			 u[i]);
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

		if (!strncmp(v, "0x", 2) || zi_parse_u64(v, &r) ||
		    r > UINT32_MAX)
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

static void op_list_free(struct op_list *l)
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
static int add_ops(struct sim_opts *o, struct op_list *l, const char *src,
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

static int read_ops_file(struct sim_opts *o, const char *path,
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

/* --- execution ------------------------------------------------------------ */

static struct step *cur_step(struct sim *s)
{
	return s->silent || !s->nr_steps ? NULL : &s->steps[s->nr_steps - 1];
}

static int begin_step(struct sim *s, const struct op *op)
{
	struct step *ns;

	if (s->silent)
		return 0;
	if (s->nr_steps == s->cap_steps) {
		size_t cap = s->cap_steps ? s->cap_steps * 2 : 16;

		ns = realloc(s->steps, cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		s->steps = ns;
		s->cap_steps = cap;
	}
	memset(&s->steps[s->nr_steps], 0, sizeof(*s->steps));
	s->steps[s->nr_steps++].op = op;
	return 0;
}

static int act(struct sim *s, enum act_kind kind, uint64_t block, int nid,
	       int group, int zone, int type)
{
	struct step *st = cur_step(s);
	struct action *na;

	if (!st)
		return 0;
	if (st->nr == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;

		na = realloc(st->acts, cap * sizeof(*na));
		if (!na)
			return -ENOMEM;
		st->acts = na;
		st->cap = cap;
	}
	st->acts[st->nr++] = (struct action){ .kind = kind,
					      .block = block,
					      .nid = nid,
					      .group = group,
					      .zone = zone,
					      .online_type = type };
	return 0;
}

static void note(struct sim *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct sim *s, const char *fmt, ...)
{
	struct step *st = cur_step(s);
	va_list ap;

	if (!st || st->nr_notes >= 4)
		return;
	va_start(ap, fmt);
	vsnprintf(st->notes[st->nr_notes++], sizeof(st->notes[0]), fmt, ap);
	va_end(ap);
}

/* The failure of the current operation; always returns -1. */
static int fail(struct sim *s, const struct op *op, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct sim *s, const struct op *op, const char *fmt, ...)
{
	struct step *st = cur_step(s);
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (st)
		snprintf(st->error, sizeof(st->error), "%s", buf);
	fprintf(s->o->err, PROG ": %s: %s: %s\n", op->src, op->text, buf);
	return -1;
}

static struct za_state *ST(struct sim *s)
{
	return &s->sys.st;
}

/* Make sure the state exists (--state files create it lazily). */
static int need_state(struct sim *s, const struct op *op)
{
	uint64_t bp;

	if (s->have_state)
		return 0;
	bp = s->next_block_size / s->sys.page_size;
	if (!bp || s->next_block_size % s->sys.page_size)
		return fail(s, op,
			    "block size is not a multiple of the page size");
	if (za_init(ST(s), bp))
		return fail(s, op, "bad block size");
	ST(s)->subsection_pages = (2u << 20) / s->sys.page_size ?
					  (2u << 20) / s->sys.page_size :
					  1;
	s->sys.block_size = s->next_block_size;
	s->have_state = true;
	return 0;
}

/* Is block @id taken by a present block or a device region? */
static bool block_taken(struct sim *s, uint64_t id,
			const struct zi_device *skip)
{
	size_t i;

	if (za_block_find(ST(s), id))
		return true;
	for (i = 0; i < s->sys.nr_devs; i++) {
		const struct zi_device *d = &s->sys.devs[i];

		if (d == skip || d->kind != ZI_DEV_VIRTIO_MEM || !d->region_end)
			continue;
		if (id >= d->region_first && id < d->region_end)
			return true;
	}
	return false;
}

/*
 * First fit for @n blocks aligned to @align blocks in the hotplug area: from
 * the end of boot memory, but not below 4 GiB, rounded up to 1 GiB (where
 * QEMU's x86 machines start their device memory region), skipping present
 * blocks and virtio-mem regions.
 */
static int first_fit(struct sim *s, uint64_t n, uint64_t align, uint64_t *out)
{
	const uint64_t bs = s->sys.block_size;
	uint64_t end = 0, base, id, limit = UINT64_MAX / ST(s)->block_pages;
	size_t i;

	for (i = 0; i < ST(s)->nr_blocks; i++)
		if (ST(s)->blocks[i].early && ST(s)->blocks[i].id + 1 > end)
			end = ST(s)->blocks[i].id + 1;
	if (end < limit / bs)
		end *= bs; /* bytes */
	else
		end = UINT64_MAX - (1ull << 30);
	if (end < (4ull << 30))
		end = 4ull << 30;
	base = ((end - 1) | ((1ull << 30) - 1)) + 1; /* ROUND_UP(end, 1 GiB) */
	base = (base + bs - 1) / bs;
	if (!align)
		align = 1;
	id = (base + align - 1) / align * align;
	while (id < limit && limit - id >= n) {
		uint64_t k;

		for (k = 0; k < n && !block_taken(s, id + k, NULL); k++)
			;
		if (k == n) {
			*out = id;
			return 0;
		}
		id = (id + k + 1 + align - 1) / align * align;
	}
	return -ENOSPC;
}

static int auto_online_blocks(struct sim *s, const struct op *op,
			      uint64_t first, uint64_t n)
{
	uint64_t k;

	if (s->sys.auto_online <= ZA_MMOP_OFFLINE)
		return 0;
	/* walk_memory_blocks(start, size, NULL, online_memory_block) */
	for (k = 0; k < n; k++) {
		struct za_block *b = za_block_find(ST(s), first + k);
		int zone, rc;

		rc = za_online(ST(s), first + k, s->sys.auto_online, &zone);
		if (rc)
			return fail(s, op,
				    "memory%" PRIu64 ": online failed (%s)",
				    first + k, strerror(-rc));
		act(s, ACT_ONLINE, first + k, b->nid, b->group, zone,
		    s->sys.auto_online);
	}
	return 0;
}

static int add_blocks(struct sim *s, const struct op *op, uint64_t first,
		      uint64_t n, int nid, int gid)
{
	uint64_t k;

	for (k = 0; k < n; k++) {
		int rc = za_block_add(ST(s), first + k, nid, gid);

		if (rc == -EEXIST)
			return fail(s, op,
				    "memory%" PRIu64 " is already present",
				    first + k);
		if (rc)
			return fail(s, op, "memory%" PRIu64 ": cannot add (%s)",
				    first + k, strerror(-rc));
		act(s, ACT_ADD, first + k, nid, gid, ZA_ZONE_NONE, 0);
	}
	return 0;
}

static int exec_dimm(struct sim *s, const struct op *op)
{
	const uint64_t bs = s->sys.block_size;
	uint64_t n = op->size / bs, first, align = 1;
	struct zi_device d = { .kind = ZI_DEV_DIMM, .group = -1 };
	int nid = op->nid >= 0 ? op->nid : 0, gid;
	uint64_t k;

	if (op->size % bs)
		return fail(s, op,
			    "size is not a multiple of the memory block size");
	if (n > ZA_MAX_BLOCKS - ST(s)->nr_blocks)
		return fail(s, op, "too large (the model stops at %u blocks)",
			    ZA_MAX_BLOCKS);
	if (op->has_align)
		align = op->align > bs ? op->align / bs : 1;
	if (op->has_block || op->has_at) {
		if (op->has_at && op->at % bs)
			return fail(
				s, op,
				"at= is not aligned to the memory block size");
		first = op->has_block ? op->block : op->at / bs;
		if (first >= UINT64_MAX / ST(s)->block_pages - n)
			return fail(s, op, "beyond 64-bit addresses");
		for (k = 0; k < n; k++)
			if (block_taken(s, first + k, NULL))
				return fail(s, op, "memory%" PRIu64 " is taken",
					    first + k);
	} else if (first_fit(s, n, align, &first)) {
		return fail(s, op, "no free range of that size");
	}
	if (op->name[0]) {
		if (zi_device_find(&s->sys, op->name))
			return fail(s, op, "a device named %s exists",
				    op->name);
		snprintf(d.name, sizeof(d.name), "%s", op->name);
	} else {
		do
			snprintf(d.name, sizeof(d.name), "dimm%u", s->dimms++);
		while (zi_device_find(&s->sys, d.name));
	}
	/* acpi_memory_enable_device() */
	gid = za_group_register_static(ST(s), nid, op->size / s->sys.page_size,
				       d.name);
	if (gid < 0)
		return fail(s, op, "cannot register a memory group (%s)",
			    strerror(-gid));
	act(s, ACT_REGISTER, (uint64_t)gid, nid, gid, ZA_ZONE_NONE, 0);
	d.group = gid;
	d.nid = nid;
	if (zi_device_add(&s->sys, &d) < 0)
		return fail(s, op, "out of memory");
	note(s, "%s: memory%" PRIu64 "-%" PRIu64 ", memory group %d", d.name,
	     first, first + n - 1, gid);
	if (add_blocks(s, op, first, n, nid, gid))
		return -1;
	return auto_online_blocks(s, op, first, n);
}

/* The virtio-mem device an operation means, or a new one (NULL + *create). */
static int pick_vmem(struct sim *s, const struct op *op, struct zi_device **out)
{
	struct zi_device *found = NULL;
	size_t i, nr = 0;

	*out = NULL;
	if (op->name[0]) {
		struct zi_device *d = zi_device_find(&s->sys, op->name);

		if (d && d->kind != ZI_DEV_VIRTIO_MEM)
			return fail(s, op, "%s is not a virtio-mem device",
				    op->name);
		*out = d;
		return 0;
	}
	for (i = 0; i < s->sys.nr_devs; i++) {
		struct zi_device *d = &s->sys.devs[i];

		if (d->kind != ZI_DEV_VIRTIO_MEM)
			continue;
		if (op->nid >= 0 && d->nid >= 0 && d->nid != op->nid)
			continue;
		found = d;
		nr++;
	}
	if (nr > 1)
		return fail(s, op, "several virtio-mem devices: say dev=NAME");
	*out = found;
	return 0;
}

static int exec_vmem(struct sim *s, const struct op *op)
{
	const uint64_t bs = s->sys.block_size, bp = ST(s)->block_pages;
	struct zi_device *d;
	struct za_group *g;
	uint64_t unit_blocks, nunits, u, added = 0, threshold;
	int gid;

	if (pick_vmem(s, op, &d))
		return -1;
	if (op->unit && (op->unit < bs || op->unit % s->sys.page_size))
		return fail(
			s, op,
			"unit= must be a power of two >= the memory block size");
	if (op->size / bs > ZA_MAX_BLOCKS - ST(s)->nr_blocks ||
	    (op->has_region && op->region / bs > ZA_MAX_BLOCKS))
		return fail(s, op, "too large (the model stops at %u blocks)",
			    ZA_MAX_BLOCKS);
	if (!d) {
		struct zi_device nd = { .kind = ZI_DEV_VIRTIO_MEM,
					.group = -1 };
		uint64_t unit = op->unit ? op->unit / s->sys.page_size : bp;
		uint64_t ub = unit / bp, region, first;
		int nid = op->nid >= 0 ? op->nid : 0;

		region = op->has_region ? op->region : op->size;
		region = (region + unit * s->sys.page_size - 1) /
			 (unit * s->sys.page_size) * ub;
		if (op->has_block || op->has_at) {
			if (op->has_at && op->at % (unit * s->sys.page_size))
				return fail(s, op,
					    "at= is not aligned to the unit");
			first = op->has_block ? op->block : op->at / bs;
			if (first % ub)
				return fail(
					s, op,
					"block= is not aligned to the unit");
		} else if (first_fit(s, region, ub, &first)) {
			return fail(s, op, "no free range of that size");
		}
		if (first >= UINT64_MAX / bp - region)
			return fail(s, op, "beyond 64-bit addresses");
		if (op->name[0]) {
			snprintf(nd.name, sizeof(nd.name), "%s", op->name);
		} else {
			do
				snprintf(nd.name, sizeof(nd.name), "vmem%u",
					 s->vmems++);
			while (zi_device_find(&s->sys, nd.name));
		}
		/* virtio_mem_init_hotplug() */
		gid = za_group_register_dynamic(ST(s), nid, unit, nd.name);
		if (gid < 0)
			return fail(s, op,
				    "cannot register a memory group (%s)",
				    strerror(-gid));
		act(s, ACT_REGISTER, (uint64_t)gid, nid, gid, ZA_ZONE_NONE, 0);
		nd.group = gid;
		nd.nid = nid;
		nd.unit_pages = unit;
		nd.region_first = first;
		nd.region_end = first + region;
		if (zi_device_add(&s->sys, &nd) < 0)
			return fail(s, op, "out of memory");
		d = &s->sys.devs[s->sys.nr_devs - 1];
		note(s,
		     "%s: new device, region memory%" PRIu64 "-%" PRIu64
		     ", unit %" PRIu64 " block(s), memory group %d",
		     d->name, d->region_first, d->region_end - 1, ub, gid);
	}
	g = za_group_find(ST(s), d->group);
	if (!g)
		return fail(s, op, "%s has no memory group", d->name);
	if (op->nid >= 0 && d->nid >= 0 && op->nid != d->nid)
		return fail(s, op, "%s is on node %d", d->name, d->nid);
	if (d->nid < 0) {
		d->nid = op->nid >= 0 ? op->nid : 0;
		g->nid = d->nid;
		if (op->nid < 0)
			note(s, "%s: node unknown, taken as 0 (say node=)",
			     d->name);
	}
	if (op->unit && op->unit / s->sys.page_size != g->unit_pages) {
		if (g->present_kernel_pages || g->present_movable_pages)
			return fail(s, op,
				    "%s has memory plugged with another unit",
				    d->name);
		g->unit_pages = op->unit / s->sys.page_size;
		d->unit_pages = g->unit_pages;
	}
	unit_blocks = g->unit_pages / bp;
	nunits = (op->size + g->unit_pages * s->sys.page_size - 1) /
		 (g->unit_pages * s->sys.page_size);
	if (nunits * g->unit_pages * s->sys.page_size != op->size)
		note(s,
		     "%s: size rounded up to whole units (%" PRIu64
		     " block(s)): a partly plugged block is onlined whole",
		     d->name, unit_blocks);
	/* The lowest unused units of the region, one add_memory() each. */
	for (u = 0; u < nunits; u++) {
		uint64_t id = (d->region_first + unit_blocks - 1) /
			      unit_blocks * unit_blocks;
		uint64_t k;

		for (;; id += unit_blocks) {
			if (d->region_end && id + unit_blocks > d->region_end)
				return fail(s, op,
					    "%s: no room left in its region",
					    d->name);
			if (id >= UINT64_MAX / bp - unit_blocks)
				return fail(s, op, "beyond 64-bit addresses");
			for (k = 0; k < unit_blocks; k++)
				if (za_block_find(ST(s), id + k))
					break;
			if (k == unit_blocks)
				break;
		}
		if (add_blocks(s, op, id, unit_blocks, d->nid, d->group))
			return -1;
		added += unit_blocks;
		if (auto_online_blocks(s, op, id, unit_blocks))
			return -1;
	}
	threshold = 2 * g->unit_pages * s->sys.page_size;
	if (threshold < (1ull << 30))
		threshold = 1ull << 30;
	if (s->sys.auto_online <= ZA_MMOP_OFFLINE && added * bs > threshold)
		note(s,
		     "%s: with memory left offline the driver stops adding at its offline threshold (%" PRIu64
		     " MiB) until memory is onlined",
		     d->name, threshold >> 20);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Like writing each block to the probe interface: add, auto-online. Adding
 * them all first gives the same zones (offline blocks play no part in the
 * choice) and inserting in ascending order keeps it linear.
 */
static int exec_add(struct sim *s, const struct op *op)
{
	int nid = op->nid >= 0 ? op->nid : 0;
	uint64_t *sorted;
	size_t i;
	int rc = 0;

	sorted = calloc(op->nr_list, sizeof(*sorted));
	if (!sorted)
		return fail(s, op, "out of memory");
	memcpy(sorted, op->list, op->nr_list * sizeof(*sorted));
	qsort(sorted, op->nr_list, sizeof(*sorted), cmp_u64);
	for (i = 0; i < op->nr_list && !rc; i++) {
		if (za_block_find(ST(s), sorted[i]))
			rc = fail(s, op, "memory%" PRIu64 " is already present",
				  sorted[i]);
		else
			rc = add_blocks(s, op, sorted[i], 1, nid, -1);
	}
	free(sorted);
	for (i = 0; i < op->nr_list && !rc; i++)
		rc = auto_online_blocks(s, op, op->list[i], 1);
	return rc;
}

static int online_one(struct sim *s, const struct op *op, uint64_t id, int type)
{
	struct za_block *b = za_block_find(ST(s), id);
	int zone, rc;

	if (!b)
		return fail(s, op, "memory%" PRIu64 ": no such block", id);
	rc = za_online(ST(s), id, type, &zone);
	if (rc == -EINVAL)
		return fail(s, op,
			    "memory%" PRIu64
			    " is already online (the kernel says EINVAL)",
			    id);
	if (rc)
		return fail(s, op, "memory%" PRIu64 ": %s", id, strerror(-rc));
	return act(s, ACT_ONLINE, id, b->nid, b->group, zone, type);
}

static int offline_one(struct sim *s, const struct op *op, uint64_t id)
{
	struct za_block *b = za_block_find(ST(s), id);
	int zone, rc;

	if (!b)
		return fail(s, op, "memory%" PRIu64 ": no such block", id);
	zone = b->zone;
	if (b->online && zone == ZA_ZONE_NONE)
		return fail(
			s, op,
			"memory%" PRIu64
			" spans several zones (valid_zones \"none\"): the kernel refuses to offline it",
			id);
	rc = za_offline(ST(s), id);
	if (rc == -EINVAL)
		return fail(s, op,
			    "memory%" PRIu64
			    " is already offline (the kernel says EINVAL)",
			    id);
	if (rc)
		return fail(s, op, "memory%" PRIu64 ": %s", id, strerror(-rc));
	return act(s, ACT_OFFLINE, id, b->nid, b->group, zone, 0);
}

static int remove_one(struct sim *s, const struct op *op, uint64_t id)
{
	struct za_block *b = za_block_find(ST(s), id);
	int nid, group, rc;

	if (!b)
		return fail(s, op, "memory%" PRIu64 ": no such block", id);
	nid = b->nid;
	group = b->group;
	rc = za_block_remove(ST(s), id);
	if (rc == -EBUSY)
		return fail(s, op,
			    "memory%" PRIu64 " is online: offline it first",
			    id);
	if (rc)
		return fail(s, op, "memory%" PRIu64 ": %s", id, strerror(-rc));
	return act(s, ACT_REMOVE, id, nid, group, ZA_ZONE_NONE, 0);
}

static int exec_unplug(struct sim *s, const struct op *op)
{
	struct zi_device *d = zi_device_find(&s->sys, op->name);
	uint64_t *ids;
	size_t i, n = 0;
	int gid, rc = 0;

	if (!d)
		return fail(s, op, "no device named %s", op->name);
	if (d->kind == ZI_DEV_VIRTIO_MEM)
		return fail(s, op, "%s is virtio-mem: use offline and remove",
			    op->name);
	gid = d->group;
	ids = calloc(ST(s)->nr_blocks + 1, sizeof(*ids));
	if (!ids)
		return fail(s, op, "out of memory");
	for (i = 0; i < ST(s)->nr_blocks; i++)
		if (gid >= 0 && ST(s)->blocks[i].group == gid)
			ids[n++] = ST(s)->blocks[i].id;
	/* ACPI eject: offline every block (in order), then remove */
	for (i = 0; i < n && !rc; i++)
		if (za_block_find(ST(s), ids[i])->online)
			rc = offline_one(s, op, ids[i]);
	for (i = 0; i < n && !rc; i++)
		rc = remove_one(s, op, ids[i]);
	free(ids);
	if (rc)
		return rc;
	if (gid >= 0 && !za_group_unregister(ST(s), gid))
		act(s, ACT_UNREGISTER, (uint64_t)gid, d->nid, gid, ZA_ZONE_NONE,
		    0);
	*d = s->sys.devs[--s->sys.nr_devs];
	return 0;
}

static int exec_online_all(struct sim *s, const struct op *op)
{
	uint64_t *ids;
	size_t i, n = 0;
	int rc = 0;

	ids = calloc(ST(s)->nr_blocks + 1, sizeof(*ids));
	if (!ids)
		return fail(s, op, "out of memory");
	for (i = 0; i < ST(s)->nr_blocks; i++)
		if (!ST(s)->blocks[i].online)
			ids[n++] = ST(s)->blocks[i].id;
	for (i = 0; i < n && !rc; i++)
		rc = online_one(s, op, ids[i], op->online_type);
	free(ids);
	return rc;
}

static void apply_set(struct sim *s, const struct op *op)
{
	if (op->policy >= 0)
		ST(s)->cfg.policy = (enum za_policy)op->policy;
	if (op->ratio >= 0)
		ST(s)->cfg.ratio = (unsigned int)op->ratio;
	if (op->numa_aware >= 0)
		ST(s)->cfg.numa_aware = op->numa_aware;
	if (op->movable_node >= 0)
		ST(s)->cfg.movable_node = op->movable_node;
	if (op->auto_online >= 0)
		s->sys.auto_online = op->auto_online;
}

static int exec_state_only(struct sim *s, const struct op *op)
{
	size_t i;
	struct za_zone *z;

	switch (op->kind) {
	case OP_BLOCK_SIZE:
	case OP_PAGE_SIZE:
		if (s->have_state)
			return fail(s, op, "%s must come before any block",
				    op->kind == OP_BLOCK_SIZE ? "block-size" :
								"page-size");
		if (op->kind == OP_BLOCK_SIZE)
			s->next_block_size = op->size;
		else
			s->sys.page_size = op->size;
		return 0;
	case OP_BOOT:
		for (i = 0; i < op->nr_list; i++) {
			struct za_block mixed = { .id = op->list[i],
						  .nid = op->nid >= 0 ?
								 op->nid :
								 0,
						  .group = -1,
						  .online = true,
						  .early = true,
						  .zone = ZA_ZONE_NONE };
			int rc = op->zone == ZA_NR_ZONES ?
					 za_block_insert(ST(s), &mixed) :
					 za_block_add_boot(ST(s), op->list[i],
							   mixed.nid, op->zone);

			if (rc)
				return fail(s, op, "memory%" PRIu64 ": %s",
					    op->list[i],
					    rc == -EEXIST ? "already present" :
							    strerror(-rc));
		}
		return 0;
	case OP_ZONE:
		z = za_zone_get(ST(s), op->nid, op->zone);
		if (!z)
			return fail(s, op, "out of memory");
		if (op->has_start)
			z->start_pfn = op->z_start;
		if (op->has_spanned)
			z->spanned = op->z_spanned;
		if (op->has_present)
			z->present = op->z_present;
		if (op->has_early)
			z->present_early = op->z_early;
		else if (op->has_present)
			z->present_early =
				op->z_present -
				(za_hotplugged_present(ST(s), op->nid,
						       op->zone) <
						 op->z_present ?
					 za_hotplugged_present(ST(s), op->nid,
							       op->zone) :
					 op->z_present);
		if (op->has_cma)
			z->cma = op->z_cma;
		if (z->spanned && z->start_pfn > UINT64_MAX - z->spanned)
			return fail(s, op, "span beyond 64-bit pfns");
		return 0;
	default:
		return 0;
	}
}

static int exec_op(struct sim *s, const struct op *op)
{
	size_t i;

	if (begin_step(s, op))
		return fail(s, op, "out of memory");
	if (op->kind == OP_BLOCK_SIZE || op->kind == OP_PAGE_SIZE)
		return exec_state_only(s, op);
	if (need_state(s, op))
		return -1;
	switch (op->kind) {
	case OP_DIMM:
		return exec_dimm(s, op);
	case OP_VMEM:
		return exec_vmem(s, op);
	case OP_ADD:
		return exec_add(s, op);
	case OP_ONLINE:
		for (i = 0; i < op->nr_list; i++)
			if (online_one(s, op, op->list[i], op->online_type))
				return -1;
		return 0;
	case OP_OFFLINE:
		for (i = 0; i < op->nr_list; i++)
			if (offline_one(s, op, op->list[i]))
				return -1;
		return 0;
	case OP_REMOVE:
		for (i = 0; i < op->nr_list; i++)
			if (remove_one(s, op, op->list[i]))
				return -1;
		return 0;
	case OP_UNPLUG:
		return exec_unplug(s, op);
	case OP_ONLINE_ALL:
		return exec_online_all(s, op);
	case OP_SET:
		apply_set(s, op);
		return 0;
	default:
		return exec_state_only(s, op);
	}
}

/* --- output --------------------------------------------------------------- */

static bool same_run(const struct action *a, const struct action *b, int dir)
{
	return a->kind == b->kind && a->nid == b->nid && a->group == b->group &&
	       a->zone == b->zone && a->online_type == b->online_type &&
	       a->kind != ACT_REGISTER && a->kind != ACT_UNREGISTER &&
	       b->block == a->block + (uint64_t)(int64_t)dir;
}

static void print_actions_text(FILE *f, const struct step *st)
{
	size_t i = 0;

	while (i < st->nr) {
		const struct action *a = &st->acts[i];
		size_t j = i + 1;
		int dir = 0;
		char range[64];

		if (j < st->nr && same_run(a, &st->acts[j], 1))
			dir = 1;
		else if (j < st->nr && same_run(a, &st->acts[j], -1))
			dir = -1;
		while (dir && j < st->nr &&
		       same_run(&st->acts[j - 1], &st->acts[j], dir))
			j++;
		if (a->kind == ACT_REGISTER || a->kind == ACT_UNREGISTER) {
			fprintf(f, "    %-10s memory group %d\n",
				act_names[a->kind], a->group);
			i = j;
			continue;
		}
		if (j - i > 1)
			snprintf(range, sizeof(range),
				 "memory%" PRIu64 "-%" PRIu64, a->block,
				 st->acts[j - 1].block);
		else
			snprintf(range, sizeof(range), "memory%" PRIu64,
				 a->block);
		fprintf(f, "    %-10s %-22s node %d", act_names[a->kind], range,
			a->nid);
		if (a->group >= 0)
			fprintf(f, "  group %d", a->group);
		if (a->kind == ACT_ONLINE)
			fprintf(f, "  %s -> %s",
				za_online_type_name(a->online_type),
				za_zone_name(a->zone));
		else if (a->kind == ACT_OFFLINE)
			fprintf(f, "  (was %s)", za_zone_name(a->zone));
		fputc('\n', f);
		i = j;
	}
}

static void block_vz(struct sim *s, const struct za_block *b, char *buf,
		     size_t len)
{
	if (za_valid_zones(ST(s), b->id, buf, len))
		snprintf(buf, len, "?");
}

static bool same_block_row(struct sim *s, const struct za_block *a,
			   const struct za_block *b)
{
	char va[64], vb[64];

	if (b->id != a->id + 1 || a->online != b->online ||
	    a->zone != b->zone || a->nid != b->nid || a->group != b->group ||
	    a->early != b->early)
		return false;
	if (a->online)
		return true;
	block_vz(s, a, va, sizeof(va));
	block_vz(s, b, vb, sizeof(vb));
	return !strcmp(va, vb);
}

static void ratio_str(uint64_t movable, uint64_t kernel, char *buf, size_t len)
{
	if (!kernel)
		snprintf(buf, len, movable ? "inf" : "-");
	else
		snprintf(buf, len, "%" PRIu64,
			 movable > UINT64_MAX / 100 ? movable / kernel * 100 :
						      movable * 100 / kernel);
}

static void print_scope_text(FILE *f, struct sim *s, const char *scope, int nid)
{
	const uint64_t ps = s->sys.page_size;
	struct za_stats st;
	char m[32], k[32], r[32], h[32], req[32];

	za_stats(ST(s), nid, NULL, &st);
	fmt_size(st.movable_pages * ps, m, sizeof(m));
	fmt_size(st.kernel_early_pages * ps, k, sizeof(k));
	ratio_str(st.movable_pages, st.kernel_early_pages, r, sizeof(r));
	fmt_size(st.req_kernel_early_pages * ps, req, sizeof(req));
	if (!ST(s)->cfg.ratio)
		snprintf(h, sizeof(h), "0 (ratio 0)");
	else
		fmt_size((st.starved ? 0 : st.headroom_pages) * ps, h,
			 sizeof(h));
	fprintf(f, "  %-8s %12s %14s %7s %16s %12s\n", scope, m, k, r, req, h);
}

static uint64_t group_req(const struct za_state *st, const struct za_group *g)
{
	int64_t pages;

	if (!g->dynamic || !st->cfg.ratio)
		return 0;
	pages = (int64_t)(g->present_movable_pages * 100 /
				  (uint64_t)(int64_t)(int)st->cfg.ratio -
			  g->present_kernel_pages);
	return pages > 0 ? (uint64_t)pages : 0;
}

static void print_text(struct sim *s, bool ok)
{
	FILE *f = s->o->out;
	const uint64_t ps = s->sys.page_size;
	char bsz[32];
	size_t i;
	int n;

	fmt_size(s->sys.block_size, bsz, sizeof(bsz));
	fprintf(f,
		"policy %s, ratio %u, numa-aware %s, movable_node %s, auto-online %s; %s blocks; state: %s\n",
		za_policy_name(ST(s)->cfg.policy), ST(s)->cfg.ratio,
		ST(s)->cfg.numa_aware ? "Y" : "N",
		ST(s)->cfg.movable_node ? "Y" : "N",
		s->sys.auto_online >= 0 ?
			za_online_type_name(s->sys.auto_online) :
			"unknown",
		bsz, s->source);
	for (i = 0; i < s->sys.nr_warnings; i++)
		fprintf(f, "warning: %s\n", s->sys.warnings[i]);
	if (s->sys.dropped_warnings)
		fprintf(f, "warning: %u more warning(s)\n",
			s->sys.dropped_warnings);
	for (i = 0; i < s->nr_steps; i++) {
		const struct step *st = &s->steps[i];
		int k;

		fprintf(f, "\n[%zu] %s  (%s)\n", i + 1, st->op->text,
			st->op->src);
		for (k = 0; k < st->nr_notes; k++)
			fprintf(f, "    note: %s\n", st->notes[k]);
		print_actions_text(f, st);
		if (st->error[0])
			fprintf(f, "    error: %s\n", st->error);
	}
	if (!ok)
		fprintf(f,
			"\nstopped at the failed operation; the state below is the state before it\n");

	fprintf(f, "\nBlocks:\n  %-24s %-8s %-8s %4s %5s  %s\n", "BLOCKS",
		"STATE", "ZONE", "NODE", "GROUP",
		"VALID-ZONES (offline) / EARLY");
	for (i = 0; i < ST(s)->nr_blocks;) {
		const struct za_block *b = &ST(s)->blocks[i];
		size_t j = i + 1;
		char range[64], vz[64], grp[16];

		while (j < ST(s)->nr_blocks &&
		       same_block_row(s, &ST(s)->blocks[j - 1],
				      &ST(s)->blocks[j]))
			j++;
		if (j - i > 1)
			snprintf(range, sizeof(range),
				 "memory%" PRIu64 "-%" PRIu64, b->id,
				 ST(s)->blocks[j - 1].id);
		else
			snprintf(range, sizeof(range), "memory%" PRIu64, b->id);
		if (b->group >= 0)
			snprintf(grp, sizeof(grp), "%d", b->group);
		else
			snprintf(grp, sizeof(grp), "-");
		if (b->online)
			snprintf(vz, sizeof(vz), "%s", b->early ? "early" : "");
		else
			block_vz(s, b, vz, sizeof(vz));
		fprintf(f, "  %-24s %-8s %-8s %4d %5s  %s\n", range,
			b->online ? "online" : "offline",
			b->online ? za_zone_name(b->zone) : "-", b->nid, grp,
			vz);
		i = j;
	}

	fprintf(f,
		"\nMOVABLE:KERNEL (percent, like auto_movable_ratio; limit %u%s):\n",
		ST(s)->cfg.ratio,
		ST(s)->cfg.numa_aware ? ", per node too" : "");
	fprintf(f, "  %-8s %12s %14s %7s %16s %12s\n", "SCOPE", "MOVABLE",
		"KERNEL-EARLY", "RATIO", "GROUPS-REQUIRE", "HEADROOM");
	print_scope_text(f, s, "global", ZA_NUMA_NO_NODE);
	for (n = 0; n < ST(s)->nr_nodes; n++) {
		char scope[24];
		int z;
		bool any = false;

		for (z = 0; z < ZA_NR_ZONES; z++)
			if (ST(s)->nodes[n].zones[z].present ||
			    ST(s)->nodes[n].zones[z].spanned)
				any = true;
		if (!any)
			continue;
		snprintf(scope, sizeof(scope), "node %d", n);
		print_scope_text(f, s, scope, n);
	}
	if (!ST(s)->nr_groups)
		return;
	fprintf(f, "\n  %-5s %-8s %-12s %4s %12s %12s %12s %7s %12s %12s\n",
		"GROUP", "TYPE", "NAME", "NODE", "SIZE/UNIT", "MOVABLE",
		"KERNEL", "RATIO", "REQUIRES", "HEADROOM");
	for (i = 0; i < ST(s)->nr_groups; i++) {
		const struct za_group *g = &ST(s)->groups[i];
		char sz[32], m[32], k[32], r[32], req[32], h[32];

		fmt_size((g->dynamic ? g->unit_pages : g->max_pages) * ps, sz,
			 sizeof(sz));
		fmt_size(g->present_movable_pages * ps, m, sizeof(m));
		fmt_size(g->present_kernel_pages * ps, k, sizeof(k));
		ratio_str(g->present_movable_pages, g->present_kernel_pages, r,
			  sizeof(r));
		if (g->dynamic)
			fmt_size(group_req(ST(s), g) * ps, req, sizeof(req));
		else
			snprintf(req, sizeof(req), "-");
		if (g->dynamic)
			fmt_size(za_headroom(ST(s), g->nid, g) * ps, h,
				 sizeof(h));
		else
			snprintf(h, sizeof(h), "-");
		fprintf(f,
			"  %-5d %-8s %-12s %4d %12s %12s %12s %7s %12s %12s\n",
			g->id, g->dynamic ? "dynamic" : "static",
			g->name[0] ? g->name : "-", g->nid, sz, m, k, r, req,
			h);
	}
}

static void json_ratio(FILE *f, uint64_t movable, uint64_t kernel)
{
	if (!kernel)
		fprintf(f, "null");
	else
		fprintf(f, "%" PRIu64,
			movable > UINT64_MAX / 100 ? movable / kernel * 100 :
						     movable * 100 / kernel);
}

static void json_scope(FILE *f, struct sim *s, int nid)
{
	struct za_stats st;

	za_stats(ST(s), nid, NULL, &st);
	fprintf(f, "{");
	if (nid >= 0)
		fprintf(f, "\"node\":%d,", nid);
	fprintf(f,
		"\"movable_pages\":%" PRIu64 ",\"kernel_early_pages\":%" PRIu64
		",\"ratio\":",
		st.movable_pages, st.kernel_early_pages);
	json_ratio(f, st.movable_pages, st.kernel_early_pages);
	fprintf(f,
		",\"dynamic_groups_movable_pages\":%" PRIu64
		",\"dynamic_groups_require_kernel_early_pages\":%" PRIu64
		",\"starved\":%s,\"headroom_pages\":%" PRIu64
		",\"headroom_bytes\":%" PRIu64 "}",
		st.group_movable_pages, st.req_kernel_early_pages,
		st.starved ? "true" : "false",
		st.starved || !ST(s)->cfg.ratio ? 0 : st.headroom_pages,
		(st.starved || !ST(s)->cfg.ratio ? 0 : st.headroom_pages) *
			s->sys.page_size);
}

static void print_json(struct sim *s, bool ok)
{
	FILE *f = s->o->out;
	size_t i, j;
	int n, k;

	fprintf(f, "{\"source\":");
	json_string(f, s->source, SIZE_MAX);
	fprintf(f,
		",\"config\":{\"policy\":\"%s\",\"ratio\":%u,\"numa_aware\":%s,"
		"\"movable_node\":%s,\"auto_online\":",
		za_policy_name(ST(s)->cfg.policy), ST(s)->cfg.ratio,
		ST(s)->cfg.numa_aware ? "true" : "false",
		ST(s)->cfg.movable_node ? "true" : "false");
	if (s->sys.auto_online >= 0)
		json_string(f, za_online_type_name(s->sys.auto_online), SIZE_MAX);
	else
		fprintf(f, "null");
	fprintf(f, ",\"block_size\":%" PRIu64 ",\"page_size\":%" PRIu64 "}",
		s->sys.block_size, s->sys.page_size);
	fprintf(f, ",\"warnings\":[");
	for (i = 0; i < s->sys.nr_warnings; i++) {
		if (i)
			fputc(',', f);
		json_string(f, s->sys.warnings[i], SIZE_MAX);
	}
	fprintf(f, "],\"ok\":%s,\"steps\":[", ok ? "true" : "false");
	for (i = 0; i < s->nr_steps; i++) {
		const struct step *st = &s->steps[i];

		fprintf(f, "%s{\"op\":", i ? "," : "");
		json_string(f, st->op->text, SIZE_MAX);
		fprintf(f, ",\"source\":");
		json_string(f, st->op->src, SIZE_MAX);
		fprintf(f, ",\"notes\":[");
		for (k = 0; k < st->nr_notes; k++) {
			if (k)
				fputc(',', f);
			json_string(f, st->notes[k], SIZE_MAX);
		}
		fprintf(f, "],\"actions\":[");
		for (j = 0; j < st->nr; j++) {
			const struct action *a = &st->acts[j];

			fprintf(f, "%s{\"action\":\"%s\"", j ? "," : "",
				act_names[a->kind]);
			if (a->kind == ACT_REGISTER ||
			    a->kind == ACT_UNREGISTER) {
				fprintf(f, ",\"group\":%d,\"node\":%d}",
					a->group, a->nid);
				continue;
			}
			fprintf(f,
				",\"block\":%" PRIu64 ",\"node\":%d,\"group\":",
				a->block, a->nid);
			if (a->group >= 0)
				fprintf(f, "%d", a->group);
			else
				fprintf(f, "null");
			if (a->kind == ACT_ONLINE)
				fprintf(f,
					",\"online_type\":\"%s\",\"zone\":\"%s\"",
					za_online_type_name(a->online_type),
					za_zone_name(a->zone));
			else if (a->kind == ACT_OFFLINE)
				fprintf(f, ",\"zone\":\"%s\"",
					za_zone_name(a->zone));
			fputc('}', f);
		}
		fprintf(f, "]");
		if (st->error[0]) {
			fprintf(f, ",\"error\":");
			json_string(f, st->error, SIZE_MAX);
		}
		fputc('}', f);
	}
	fprintf(f, "],\"blocks\":[");
	for (i = 0; i < ST(s)->nr_blocks; i++) {
		const struct za_block *b = &ST(s)->blocks[i];
		char vz[64];

		block_vz(s, b, vz, sizeof(vz));
		fprintf(f,
			"%s{\"block\":%" PRIu64 ",\"state\":\"%s\",\"zone\":",
			i ? "," : "", b->id, b->online ? "online" : "offline");
		if (b->online)
			fprintf(f, "\"%s\"", za_zone_name(b->zone));
		else
			fprintf(f, "null");
		fprintf(f, ",\"valid_zones\":\"%s\",\"node\":%d,\"group\":", vz,
			b->nid);
		if (b->group >= 0)
			fprintf(f, "%d", b->group);
		else
			fprintf(f, "null");
		fprintf(f, ",\"early\":%s}", b->early ? "true" : "false");
	}
	fprintf(f, "],\"zones\":[");
	k = 0;
	for (n = 0; n < ST(s)->nr_nodes; n++) {
		int z;

		for (z = 0; z < ZA_NR_ZONES; z++) {
			const struct za_zone *zz = &ST(s)->nodes[n].zones[z];

			if (!zz->present && !zz->spanned)
				continue;
			fprintf(f,
				"%s{\"node\":%d,\"zone\":\"%s\",\"start_pfn\":%" PRIu64
				",\"spanned\":%" PRIu64 ",\"present\":%" PRIu64
				",\"present_early\":%" PRIu64
				",\"cma\":%" PRIu64 "}",
				k++ ? "," : "", n, za_zone_name(z),
				zz->start_pfn, zz->spanned, zz->present,
				zz->present_early, zz->cma);
		}
	}
	fprintf(f, "],\"groups\":[");
	for (i = 0; i < ST(s)->nr_groups; i++) {
		const struct za_group *g = &ST(s)->groups[i];

		fprintf(f, "%s{\"id\":%d,\"name\":", i ? "," : "", g->id);
		json_string(f, g->name, SIZE_MAX);
		fprintf(f,
			",\"type\":\"%s\",\"node\":%d,\"%s\":%" PRIu64
			",\"present_movable_pages\":%" PRIu64
			",\"present_kernel_pages\":%" PRIu64 ",\"ratio\":",
			g->dynamic ? "dynamic" : "static", g->nid,
			g->dynamic ? "unit_pages" : "max_pages",
			g->dynamic ? g->unit_pages : g->max_pages,
			g->present_movable_pages, g->present_kernel_pages);
		json_ratio(f, g->present_movable_pages,
			   g->present_kernel_pages);
		if (g->dynamic)
			fprintf(f,
				",\"require_kernel_early_pages\":%" PRIu64
				",\"headroom_pages\":%" PRIu64,
				group_req(ST(s), g),
				za_headroom(ST(s), g->nid, g));
		fputc('}', f);
	}
	fprintf(f, "],\"ratios\":{\"limit\":%u,\"global\":", ST(s)->cfg.ratio);
	json_scope(f, s, ZA_NUMA_NO_NODE);
	fprintf(f, ",\"nodes\":[");
	k = 0;
	for (n = 0; n < ST(s)->nr_nodes; n++) {
		int z;
		bool any = false;

		for (z = 0; z < ZA_NR_ZONES; z++)
			if (ST(s)->nodes[n].zones[z].present ||
			    ST(s)->nodes[n].zones[z].spanned)
				any = true;
		if (!any)
			continue;
		if (k++)
			fputc(',', f);
		json_scope(f, s, n);
	}
	fprintf(f, "]}}\n");
}

/* --- options -------------------------------------------------------------- */

enum {
	OPT_POLICY = 0x100,
	OPT_RATIO,
	OPT_NUMA_AWARE,
	OPT_MOVABLE_NODE,
	OPT_AUTO_ONLINE,
	OPT_STATE,
	OPT_USAGE,
};

static const struct argp_option sim_options[] = {
	{ "sysroot", 's', "DIR", 0,
	  "start from the system copied under DIR (DIR/sys/..., DIR/proc/zoneinfo, DIR/proc/iomem)",
	  0 },
	{ "state", OPT_STATE, "FILE", 0,
	  "start from the state described in FILE (see docs/simulate.md)", 0 },
	{ "ops", 'f', "FILE", 0,
	  "read operations from FILE, one a line ('-': stdin), before those given as arguments",
	  0 },
	{ "policy", OPT_POLICY, "POLICY", 0,
	  "online policy: contig-zones or auto-movable (default: memory_hotplug.online_policy)",
	  1 },
	{ "ratio", OPT_RATIO, "N", 0,
	  "auto_movable_ratio in percent (301 = 3.01:1)", 1 },
	{ "numa-aware", OPT_NUMA_AWARE, "Y|N", 0, "auto_movable_numa_aware",
	  1 },
	{ "movable-node", OPT_MOVABLE_NODE, "Y|N", 0,
	  "as if booted with (Y) or without (N) movable_node", 1 },
	{ "auto-online", OPT_AUTO_ONLINE, "TYPE", 0,
	  "what hot-added memory does: offline, online, online_kernel, online_movable (default: auto_online_blocks)",
	  1 },
	{ "json", 'J', NULL, 0, "JSON output", 2 },
	{ "help", 'h', NULL, 0, "display this help", -1 },
	{ "usage", OPT_USAGE, NULL, 0, "display a short usage message", -1 },
	{ "version", 'V', NULL, 0, "display version", -1 },
	{ 0 },
};

static const char sim_doc[] =
	"Predict the zone the kernel picks for each memory block over a sequence "
	"of hotplug operations, and the resulting MOVABLE:KERNEL ratios.\n"
	"\n"
	"The model is Linux 6.1's zone_for_pfn_range() (contig-zones and "
	"auto-movable, memory groups, NUMA-aware). The starting state is the "
	"running system unless --sysroot or --state say otherwise. Each OP "
	"argument holds one or more operations separated by ';'.\v"
	"Operations (docs/simulate.md):\n"
	"  dimm SIZE [node=N] [name=NAME] [at=ADDR|block=N] [align=SIZE]\n"
	"      hot-add an ACPI DIMM (a static memory group); onlined as\n"
	"      auto_online_blocks says\n"
	"  virtio-mem SIZE [dev=NAME] [node=N] [unit=SIZE] [region=SIZE]\n"
	"             [at=ADDR|block=N]\n"
	"      grow a virtio-mem device (a dynamic memory group) by SIZE\n"
	"  add BLOCKS [node=N]           add blocks without a group (probe)\n"
	"  online BLOCKS [online|online_kernel|online_movable]\n"
	"  offline BLOCKS\n"
	"  remove BLOCKS                 remove offline blocks\n"
	"  unplug NAME                   eject a DIMM: offline and remove it\n"
	"  online-all [TYPE]             online every offline block, ascending\n"
	"  set [policy=P] [ratio=N] [numa-aware=Y|N] [movable-node=Y|N]\n"
	"      [auto-online=TYPE]\n"
	"BLOCKS: 48, 48-55, 55-48 (descending), memory48, 48,50-52.\n"
	"SIZE: bytes or K/M/G/T suffixes (powers of 1024).\n"
	"\n"
	"Exit status: 0 ok, 1 an operation failed (as the kernel would refuse it),\n"
	"2 bad usage or unreadable input.\n"
	"\n"
	"Examples:\n"
	"  memhp simulate --policy auto-movable 'dimm 4G' 'dimm 4G'\n"
	"  memhp simulate -J --auto-online offline 'dimm 1G node=1; online-all'\n"
	"  memhp simulate --state vm.state -f ops.txt\n"
	"  memhp simulate                 # the current state and ratios";

static void usage_err(struct argp_state *state, struct sim_opts *o,
		      const char *msg, const char *arg)
{
	o->usage_error = true;
	argp_error(state, "%s: %s", msg, arg);
}

static error_t sim_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct sim_opts *o = state->input;
	uint64_t v;
	int b;

	switch (key) {
	case ARGP_KEY_INIT:
		state->out_stream = o->out;
		state->err_stream = o->err;
		return 0;
	case 's':
		o->sysroot = arg;
		break;
	case OPT_STATE:
		o->state_file = arg;
		break;
	case 'f':
		o->ops_file = arg;
		break;
	case OPT_POLICY:
		o->policy = za_policy_from_name(arg);
		if (o->policy < 0)
			usage_err(state, o, "unknown policy", arg);
		break;
	case OPT_RATIO:
		if (!strncmp(arg, "0x", 2) || zi_parse_u64(arg, &v) ||
		    v > UINT32_MAX)
			usage_err(state, o, "bad ratio", arg);
		else
			o->ratio = (long long)v;
		break;
	case OPT_NUMA_AWARE:
	case OPT_MOVABLE_NODE:
		b = zi_parse_bool(arg);
		if (b < 0)
			usage_err(state, o, "expected Y or N", arg);
		else if (key == OPT_NUMA_AWARE)
			o->numa_aware = b;
		else
			o->movable_node = b;
		break;
	case OPT_AUTO_ONLINE:
		o->auto_online = za_online_type_from_name(arg);
		if (o->auto_online < 0)
			usage_err(state, o, "unknown online type", arg);
		break;
	case 'J':
		o->json = true;
		break;
	case 'h':
		argp_state_help(state, o->out, ARGP_HELP_STD_HELP);
		o->done = true;
		break;
	case OPT_USAGE:
		argp_state_help(state, o->out, ARGP_HELP_USAGE);
		o->done = true;
		break;
	case 'V':
		fprintf(o->out, "%s\n",
			argp_program_version ? argp_program_version : "memhp");
		o->done = true;
		break;
	case ARGP_KEY_ARG:
		o->args[o->nargs++] = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return o->usage_error ? EINVAL : 0;
}

/* --- main ----------------------------------------------------------------- */

static void sim_free(struct sim *s)
{
	size_t i;

	for (i = 0; i < s->nr_steps; i++)
		free(s->steps[i].acts);
	free(s->steps);
	zi_system_free(&s->sys);
}

static int run_state_file(struct sim *s)
{
	struct op_list l = { 0 };
	size_t i;
	int rc = 0;

	s->sys.auto_online = ZA_MMOP_OFFLINE;
	s->next_block_size = 128ull << 20;
	if (read_ops_file(s->o, s->o->state_file, &l, true)) {
		op_list_free(&l);
		return -1;
	}
	s->silent = true;
	for (i = 0; i < l.nr && !rc; i++)
		rc = exec_op(s, &l.ops[i]);
	if (!rc && !s->have_state) {
		struct op dummy = { 0 };

		snprintf(dummy.src, sizeof(dummy.src), "%s", s->o->state_file);
		snprintf(dummy.text, sizeof(dummy.text), "(end)");
		rc = need_state(s, &dummy);
	}
	s->silent = false;
	op_list_free(&l);
	return rc;
}

int simulate_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct argp argp = { sim_options, sim_parse_opt, "[OP...]",
					  sim_doc,     NULL,	      NULL,
					  NULL };
	struct sim_opts o = { .out = out,
			      .err = err,
			      .policy = -1,
			      .numa_aware = -1,
			      .movable_node = -1,
			      .auto_online = -1,
			      .ratio = -1 };
	struct sim s = { .o = &o };
	struct op_list ops = { 0 };
	char **args, errbuf[512];
	int i, rc = SIM_EXIT_USAGE;
	bool ok = true;
	size_t k;

	args = calloc((size_t)(argc > 0 ? argc : 1) + 1, sizeof(*args));
	o.args = calloc((size_t)(argc > 0 ? argc : 1) + 1, sizeof(*o.args));
	if (!args || !o.args) {
		fprintf(err, PROG ": out of memory\n");
		free(args);
		free(o.args);
		return SIM_EXIT_RUNTIME;
	}
	args[0] = (char *)PROG;
	for (i = 1; i < argc; i++)
		args[i] = argv[i];
	if (argp_parse(&argp, argc > 0 ? argc : 1, args,
		       ARGP_NO_EXIT | ARGP_NO_HELP | ARGP_IN_ORDER, NULL, &o) ||
	    o.usage_error)
		goto out_args;
	rc = SIM_EXIT_OK;
	if (o.done)
		goto out_args;
	rc = SIM_EXIT_USAGE;
	if (o.sysroot && o.state_file) {
		fprintf(err,
			PROG ": --sysroot and --state exclude each other\n");
		goto out_args;
	}

	zi_system_init(&s.sys);
	if (o.state_file) {
		s.source = "state";
		if (run_state_file(&s))
			goto out;
	} else {
		s.source = o.sysroot ? "sysroot" : "live";
		if (zi_system_load(&s.sys, o.sysroot, errbuf, sizeof(errbuf))) {
			fprintf(err, PROG ": %s\n", errbuf);
			goto out;
		}
		s.have_state = true;
	}
	/* options override what the system says */
	if (o.policy >= 0)
		ST(&s)->cfg.policy = (enum za_policy)o.policy;
	if (o.ratio >= 0)
		ST(&s)->cfg.ratio = (unsigned int)o.ratio;
	if (o.numa_aware >= 0)
		ST(&s)->cfg.numa_aware = o.numa_aware;
	if (o.movable_node >= 0)
		ST(&s)->cfg.movable_node = o.movable_node;
	if (o.auto_online >= 0)
		s.sys.auto_online = o.auto_online;
	if (s.sys.auto_online < 0) {
		zi_warn(&s.sys,
			"auto_online_blocks unknown: hot-added memory stays offline");
		s.sys.auto_online = ZA_MMOP_OFFLINE;
	}

	/* every operation is parsed before anything runs */
	if (o.ops_file && read_ops_file(&o, o.ops_file, &ops, false))
		goto out;
	for (i = 0; i < o.nargs; i++) {
		char src[32];

		snprintf(src, sizeof(src), "argument %d", i + 1);
		if (add_ops(&o, &ops, src, o.args[i], strlen(o.args[i]), false))
			goto out;
	}
	for (k = 0; k < ops.nr; k++) {
		if (exec_op(&s, &ops.ops[k])) {
			ok = false;
			break;
		}
	}
	if (o.json)
		print_json(&s, ok);
	else
		print_text(&s, ok);
	rc = ok ? SIM_EXIT_OK : SIM_EXIT_RUNTIME;
	if (fflush(out) || ferror(out)) {
		fprintf(err, PROG ": write error\n");
		rc = SIM_EXIT_RUNTIME;
	}
out:
	op_list_free(&ops);
	sim_free(&s);
out_args:
	free(args);
	free(o.args);
	return rc;
}

int cmd_simulate(int argc, char **argv)
{
	return simulate_main(argc, argv, stdout, stderr);
}
