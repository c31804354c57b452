// SPDX-License-Identifier: GPL-2.0
/*
 * Policy file parsing (libyaml's document API: every node carries its line)
 * and rule evaluation over a struct policy_state. See user/lib/policy.h and
 * docs/policy.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "memhp.h"
#include "model.h"
#include "policy.h"
#include "zoneinfo.h"

static const char *const sev_names[] = { "info", "warning", "critical" };

static const struct {
	const char *name;
	enum policy_severity sev; /* default */
	bool events;
} types[POL_NR_RULE_TYPES] = {
	[POL_MAX_RATIO] = { "max-ratio", POL_SEV_WARNING, false },
	[POL_SINGLE_ZONE_GROUP] = { "single-zone-group", POL_SEV_WARNING,
				    false },
	[POL_NORMAL_BELOW_MOVABLE] = { "normal-below-movable", POL_SEV_WARNING,
				       false },
	[POL_KERNEL_RESERVE] = { "kernel-reserve", POL_SEV_WARNING, false },
	[POL_BALLOON_MOVABLE] = { "balloon-movable", POL_SEV_WARNING, false },
	[POL_OFFLINE_FAILURES] = { "offline-failures", POL_SEV_WARNING, true },
	[POL_ONLINE_FAILURES] = { "online-failures", POL_SEV_WARNING, true },
	[POL_ONLINE_LATENCY] = { "online-latency", POL_SEV_WARNING, true },
	[POL_UNCOVERED_ONLINE] = { "uncovered-online", POL_SEV_CRITICAL, true },
	[POL_BACKED_NOT_ONLINED] = { "backed-not-onlined", POL_SEV_WARNING,
				     true },
};

const char *policy_severity_name(enum policy_severity s)
{
	return (unsigned int)s < 3 ? sev_names[s] : "?";
}

int policy_severity_from_name(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, sev_names[i]))
			return i;
	return -1;
}

const char *policy_rule_type_name(enum policy_rule_type t)
{
	return (unsigned int)t < POL_NR_RULE_TYPES ? types[t].name : "?";
}

int policy_rule_type_from_name(const char *s)
{
	for (int i = 0; i < POL_NR_RULE_TYPES; i++)
		if (!strcmp(s, types[i].name))
			return i;
	return -1;
}

bool policy_rule_needs_events(enum policy_rule_type t)
{
	return (unsigned int)t < POL_NR_RULE_TYPES && types[t].events;
}

/* --- parsing ---------------------------------------------------------------- */

struct pctx {
	yaml_document_t *doc;
	const char *fname;
	char *err;
	size_t errlen;
	struct policy *p;
};

__attribute__((format(printf, 3, 4))) static int perr(struct pctx *c,
						      const yaml_node_t *n,
						      const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		snprintf(c->err, c->errlen, "%s:%lu: %s", c->fname,
			 (unsigned long)n->start_mark.line + 1, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->fname, msg);
	return -EINVAL;
}

static int line_of(const yaml_node_t *n)
{
	return (int)n->start_mark.line + 1;
}

/* A scalar's text (NUL-terminated by libyaml), or NULL. */
static const char *scalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static int want_scalar(struct pctx *c, const yaml_node_t *n, const char *key,
		       const char **out)
{
	*out = scalar(n);
	if (!*out)
		return perr(c, n, "%s: expected a single value", key);
	if (strlen(*out) != n->data.scalar.length)
		return perr(c, n, "%s: NUL byte in value", key);
	return 0;
}

static int parse_uint(struct pctx *c, const yaml_node_t *n, const char *key,
		      uint64_t maxv, uint64_t *out)
{
	const char *s;
	char *end;
	unsigned long long v;
	int ret = want_scalar(c, n, key, &s);

	if (ret)
		return ret;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return perr(c, n, "%s: \"%.40s\" is not a number", key, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return perr(c, n, "%s: \"%.40s\" is not a number", key, s);
	if (errno || v > maxv)
		return perr(c, n, "%s: %.40s is out of range (max %" PRIu64 ")",
			    key, s, maxv);
	*out = v;
	return 0;
}

/* "512M", "1G", "4096", "2 GiB" -> bytes (powers of 1024). */
static int parse_size(struct pctx *c, const yaml_node_t *n, const char *key,
		      uint64_t *out)
{
	const char *s;
	char *end;
	unsigned long long v;
	unsigned int shift = 0;
	int ret = want_scalar(c, n, key, &s);

	if (ret)
		return ret;
	if (*s < '0' || *s > '9')
		return perr(c, n, "%s: \"%.40s\" is not a size", key, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	while (*end == ' ')
		end++;
	if (*end) {
		switch (*end) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		case 'T': case 't': shift = 40; break;
		default:
			return perr(c, n, "%s: \"%.40s\" is not a size (K, M, G, T suffixes)",
				    key, s);
		}
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
		if (*end)
			return perr(c, n, "%s: \"%.40s\" is not a size", key, s);
	}
	if (errno || (shift && v > (UINT64_MAX >> shift)))
		return perr(c, n, "%s: %.40s is out of range", key, s);
	*out = (uint64_t)v << shift;
	return 0;
}

/* "250ms", "2s", "500us", "1000000ns" -> ns; a bare number is ms. */
static int parse_duration(struct pctx *c, const yaml_node_t *n,
			  const char *key, uint64_t *out)
{
	static const struct {
		const char *suf;
		uint64_t mul;
	} sufs[] = { { "ns", 1 },	  { "us", 1000 },	{ "ms", 1000000 },
		     { "s", 1000000000 }, { "", 1000000 } };
	const char *s;
	char *end;
	unsigned long long v;
	int ret = want_scalar(c, n, key, &s);

	if (ret)
		return ret;
	if (*s < '0' || *s > '9')
		return perr(c, n, "%s: \"%.40s\" is not a duration", key, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	for (size_t i = 0; i < sizeof(sufs) / sizeof(sufs[0]); i++) {
		if (strcmp(end, sufs[i].suf))
			continue;
		if (errno || v > UINT64_MAX / sufs[i].mul)
			return perr(c, n, "%s: %.40s is out of range", key, s);
		*out = v * sufs[i].mul;
		return 0;
	}
	return perr(c, n, "%s: \"%.40s\" is not a duration (ns, us, ms, s)", key,
		    s);
}

static int parse_severity(struct pctx *c, const yaml_node_t *n,
			  enum policy_severity *out)
{
	const char *s;
	int v, ret = want_scalar(c, n, "severity", &s);

	if (ret)
		return ret;
	v = policy_severity_from_name(s);
	if (v < 0)
		return perr(c, n,
			    "severity: \"%.40s\" is not info, warning or critical",
			    s);
	*out = (enum policy_severity)v;
	return 0;
}

/* Which keys each rule type accepts (besides name, rule, severity). */
#define K_SCOPE (1u << 0)
#define K_NODE (1u << 1)
#define K_GROUP (1u << 2)
#define K_GROUPS (1u << 3)
#define K_MAX (1u << 4)
#define K_MIN (1u << 5)
#define K_RATIO (1u << 6)

static const unsigned int type_keys[POL_NR_RULE_TYPES] = {
	[POL_MAX_RATIO] = K_SCOPE | K_NODE | K_GROUP | K_GROUPS | K_MAX,
	[POL_SINGLE_ZONE_GROUP] = K_NODE | K_GROUP,
	[POL_NORMAL_BELOW_MOVABLE] = K_NODE,
	[POL_KERNEL_RESERVE] = K_NODE | K_MIN | K_RATIO,
	[POL_BALLOON_MOVABLE] = 0,
	[POL_OFFLINE_FAILURES] = K_MAX,
	[POL_ONLINE_FAILURES] = K_MAX,
	[POL_ONLINE_LATENCY] = K_MAX,
	[POL_UNCOVERED_ONLINE] = 0,
	[POL_BACKED_NOT_ONLINED] = 0,
};

static const struct {
	const char *name;
	unsigned int bit;
} key_bits[] = {
	{ "scope", K_SCOPE }, { "node", K_NODE }, { "group", K_GROUP },
	{ "groups", K_GROUPS }, { "max", K_MAX }, { "min", K_MIN },
	{ "ratio", K_RATIO },
};

static bool has_dup_key(yaml_document_t *doc, const yaml_node_t *map,
			const yaml_node_pair_t *upto, const char *key)
{
	for (const yaml_node_pair_t *q = map->data.mapping.pairs.start; q < upto;
	     q++) {
		const char *k = scalar(yaml_document_get_node(doc, q->key));

		if (k && !strcmp(k, key))
			return true;
	}
	return false;
}

static int parse_rule(struct pctx *c, yaml_node_t *map,
		      enum policy_severity def_sev, struct policy_rule *r)
{
	yaml_document_t *doc = c->doc;
	const yaml_node_t *type_node = NULL;
	const char *s;
	unsigned int seen = 0;
	bool have_max = false, have_min = false;
	int t, ret;

	if (map->type != YAML_MAPPING_NODE)
		return perr(c, map, "a rule must be a mapping (rule: TYPE, ...)");
	memset(r, 0, sizeof(*r));
	r->line = line_of(map);
	r->node = -1;
	r->group = -1;
	r->ratio = -1;
	/* The type first: it decides which keys are valid. */
	for (yaml_node_pair_t *q = map->data.mapping.pairs.start;
	     q < map->data.mapping.pairs.top; q++) {
		const char *k = scalar(yaml_document_get_node(doc, q->key));

		if (k && !strcmp(k, "rule"))
			type_node = yaml_document_get_node(doc, q->value);
	}
	if (!type_node)
		return perr(c, map, "rule without \"rule: TYPE\"");
	ret = want_scalar(c, type_node, "rule", &s);
	if (ret)
		return ret;
	t = policy_rule_type_from_name(s);
	if (t < 0)
		return perr(c, type_node, "unknown rule type \"%.40s\"", s);
	r->type = (enum policy_rule_type)t;
	r->severity = def_sev == (enum policy_severity)-1 ? types[t].sev :
							    def_sev;
	snprintf(r->name, sizeof(r->name), "%s", types[t].name);

	for (yaml_node_pair_t *q = map->data.mapping.pairs.start;
	     q < map->data.mapping.pairs.top; q++) {
		yaml_node_t *kn = yaml_document_get_node(doc, q->key);
		yaml_node_t *vn = yaml_document_get_node(doc, q->value);
		const char *k = scalar(kn);
		unsigned int bit = 0;
		uint64_t v;

		if (!k || !vn)
			return perr(c, kn ? kn : map, "keys must be plain words");
		if (has_dup_key(doc, map, q, k))
			return perr(c, kn, "duplicate key \"%.40s\"", k);
		if (!strcmp(k, "rule"))
			continue;
		if (!strcmp(k, "name")) {
			ret = want_scalar(c, vn, k, &s);
			if (ret)
				return ret;
			if (!*s || strlen(s) >= sizeof(r->name))
				return perr(c, vn, "name: must be 1 to %zu characters",
					    sizeof(r->name) - 1);
			for (const char *x = s; *x; x++)
				if ((unsigned char)*x <= ' ' || *x == '"' ||
				    *x == '\\' || (unsigned char)*x >= 0x7f)
					return perr(c, vn,
						    "name: use letters, digits and punctuation without blanks or quotes");
			snprintf(r->name, sizeof(r->name), "%s", s);
			continue;
		}
		if (!strcmp(k, "severity")) {
			ret = parse_severity(c, vn, &r->severity);
			if (ret)
				return ret;
			continue;
		}
		for (size_t i = 0; i < sizeof(key_bits) / sizeof(key_bits[0]);
		     i++)
			if (!strcmp(k, key_bits[i].name))
				bit = key_bits[i].bit;
		if (!bit)
			return perr(c, kn, "unknown key \"%.40s\"", k);
		if (!(type_keys[t] & bit))
			return perr(c, kn, "key \"%s\" does not apply to rule %s",
				    k, types[t].name);
		seen |= bit;
		switch (bit) {
		case K_SCOPE:
			ret = want_scalar(c, vn, k, &s);
			if (ret)
				return ret;
			if (!strcmp(s, "global"))
				r->scope = POL_SCOPE_GLOBAL;
			else if (!strcmp(s, "node"))
				r->scope = POL_SCOPE_NODE;
			else if (!strcmp(s, "group"))
				r->scope = POL_SCOPE_GROUP;
			else
				return perr(c, vn,
					    "scope: \"%.40s\" is not global, node or group",
					    s);
			break;
		case K_NODE:
			ret = parse_uint(c, vn, k, ZA_MAX_NODES - 1, &v);
			if (ret)
				return ret;
			r->node = (int)v;
			break;
		case K_GROUP:
			ret = want_scalar(c, vn, k, &s);
			if (ret)
				return ret;
			if (*s >= '0' && *s <= '9') {
				ret = parse_uint(c, vn, k, ZA_MAX_GROUPS - 1, &v);
				if (ret)
					return ret;
				r->group = (int)v;
			} else {
				if (!*s || strlen(s) >= sizeof(r->group_name))
					return perr(c, vn,
						    "group: a group id or a device name (at most %zu characters)",
						    sizeof(r->group_name) - 1);
				snprintf(r->group_name, sizeof(r->group_name),
					 "%s", s);
			}
			break;
		case K_GROUPS:
			ret = want_scalar(c, vn, k, &s);
			if (ret)
				return ret;
			if (!strcmp(s, "all"))
				r->groups = POL_GROUPS_ALL;
			else if (!strcmp(s, "static"))
				r->groups = POL_GROUPS_STATIC;
			else if (!strcmp(s, "dynamic"))
				r->groups = POL_GROUPS_DYNAMIC;
			else
				return perr(c, vn,
					    "groups: \"%.40s\" is not all, static or dynamic",
					    s);
			break;
		case K_MAX:
			if (t == POL_ONLINE_LATENCY)
				ret = parse_duration(c, vn, k, &r->max);
			else if (t == POL_MAX_RATIO)
				ret = parse_uint(c, vn, k, UINT_MAX, &r->max);
			else
				ret = parse_uint(c, vn, k, UINT_MAX, &r->max);
			if (ret)
				return ret;
			have_max = true;
			break;
		case K_MIN:
			ret = parse_size(c, vn, k, &r->min_bytes);
			if (ret)
				return ret;
			have_min = true;
			break;
		case K_RATIO:
			ret = parse_uint(c, vn, k, UINT_MAX, &v);
			if (ret)
				return ret;
			r->ratio = (int64_t)v;
			break;
		}
	}
	if ((type_keys[t] & K_MAX) && !have_max)
		return perr(c, map, "rule %s needs \"max\"", types[t].name);
	if ((type_keys[t] & K_MIN) && !have_min)
		return perr(c, map, "rule %s needs \"min\"", types[t].name);
	if (t == POL_MAX_RATIO) {
		if (r->scope != POL_SCOPE_NODE && (seen & K_NODE) &&
		    r->scope != POL_SCOPE_GROUP)
			return perr(c, map, "\"node\" needs scope node or group");
		if (r->scope != POL_SCOPE_GROUP && (seen & (K_GROUP | K_GROUPS)))
			return perr(c, map,
				    "\"group\"/\"groups\" need scope group");
	}
	return 0;
}

static int parse_doc(struct pctx *c)
{
	yaml_document_t *doc = c->doc;
	yaml_node_t *root = yaml_document_get_root_node(doc), *rules = NULL;
	enum policy_severity def_sev = (enum policy_severity)-1;
	bool have_version = false;
	int ret;

	if (!root)
		return perr(c, NULL, "empty policy (expected \"version: 1\" and \"rules:\")");
	if (root->type != YAML_MAPPING_NODE)
		return perr(c, root, "the top level must be a mapping (version:, rules:)");
	for (yaml_node_pair_t *q = root->data.mapping.pairs.start;
	     q < root->data.mapping.pairs.top; q++) {
		yaml_node_t *kn = yaml_document_get_node(doc, q->key);
		yaml_node_t *vn = yaml_document_get_node(doc, q->value);
		const char *k = scalar(kn);
		uint64_t v;

		if (!k || !vn)
			return perr(c, kn ? kn : root, "keys must be plain words");
		if (has_dup_key(doc, root, q, k))
			return perr(c, kn, "duplicate key \"%.40s\"", k);
		if (!strcmp(k, "version")) {
			ret = parse_uint(c, vn, k, INT_MAX, &v);
			if (ret)
				return ret;
			if (v != 1)
				return perr(c, vn,
					    "version %" PRIu64 " is not supported (this memhp reads version 1)",
					    v);
			c->p->version = 1;
			have_version = true;
		} else if (!strcmp(k, "severity")) {
			ret = parse_severity(c, vn, &def_sev);
			if (ret)
				return ret;
		} else if (!strcmp(k, "rules")) {
			if (vn->type != YAML_SEQUENCE_NODE)
				return perr(c, vn, "rules: expected a list of rules (\"- rule: TYPE\")");
			rules = vn;
		} else {
			return perr(c, kn, "unknown key \"%.40s\" (version, severity, rules)", k);
		}
	}
	if (!have_version)
		return perr(c, root, "missing \"version: 1\"");
	if (!rules)
		return perr(c, root, "missing \"rules:\"");
	/* The default severity applies to rules below wherever it is written. */
	for (yaml_node_item_t *it = rules->data.sequence.items.start;
	     it < rules->data.sequence.items.top; it++) {
		yaml_node_t *rn = yaml_document_get_node(doc, *it);
		struct policy_rule *r;

		if (!rn)
			return perr(c, rules, "bad rule entry");
		if (c->p->nr >= POL_MAX_RULES)
			return perr(c, rn, "too many rules (at most %u)",
				    POL_MAX_RULES);
		r = &c->p->rules[c->p->nr];
		ret = parse_rule(c, rn, def_sev, r);
		if (ret)
			return ret;
		for (size_t i = 0; i < c->p->nr; i++)
			if (!strcmp(c->p->rules[i].name, r->name))
				return perr(c, rn,
					    "rule name \"%s\" is already used on line %d (give each rule a distinct name:)",
					    r->name, c->p->rules[i].line);
		c->p->nr++;
	}
	return 0;
}

int policy_parse(const char *buf, size_t len, const char *fname,
		 struct policy *p, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct pctx c = { .doc = &doc, .fname = fname ? fname : "policy",
			  .err = err, .errlen = errlen, .p = p };
	char dummy[8];
	int ret;

	if (!err) {
		c.err = dummy;
		c.errlen = sizeof(dummy);
	}
	memset(p, 0, sizeof(*p));
	if (len > POL_MAX_FILE)
		return perr(&c, NULL, "larger than %u bytes", POL_MAX_FILE);
	if (memchr(buf, '\0', len))
		return perr(&c, NULL, "NUL byte: not a text file");
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		const yaml_mark_t *m = &parser.problem_mark;

		if (parser.context && parser.context_mark.line != m->line)
			snprintf(c.err, c.errlen,
				 "%s:%lu: YAML: %s (%s started on line %lu)",
				 c.fname, (unsigned long)m->line + 1,
				 parser.problem ? parser.problem : "syntax error",
				 parser.context,
				 (unsigned long)parser.context_mark.line + 1);
		else
			snprintf(c.err, c.errlen, "%s:%lu: YAML: %s%s%s",
				 c.fname, (unsigned long)m->line + 1,
				 parser.problem ? parser.problem : "syntax error",
				 parser.context ? " " : "",
				 parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return parser.error == YAML_MEMORY_ERROR ? -ENOMEM : -EINVAL;
	}
	p->rules = calloc(POL_MAX_RULES, sizeof(*p->rules));
	if (!p->rules) {
		ret = -ENOMEM;
		snprintf(c.err, c.errlen, "%s: out of memory", c.fname);
	} else {
		ret = parse_doc(&c);
	}
	/* One document only. */
	if (!ret) {
		yaml_document_t more;

		if (!yaml_parser_load(&parser, &more)) {
			ret = -EINVAL;
			snprintf(c.err, c.errlen, "%s:%lu: YAML: %s", c.fname,
				 (unsigned long)parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "syntax error");
		} else {
			if (yaml_document_get_root_node(&more))
				ret = perr(&c, yaml_document_get_root_node(&more),
					   "only one YAML document is allowed");
			yaml_document_delete(&more);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (ret)
		policy_free(p);
	return ret;
}

int policy_load(const char *path, struct policy *p, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t len;
	int ret;

	memset(p, 0, sizeof(*p));
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	buf = malloc(POL_MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	len = fread(buf, 1, POL_MAX_FILE + 1, f);
	if (ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	} else {
		ret = policy_parse(buf, len, path, p, err, errlen);
	}
	free(buf);
	fclose(f);
	return ret;
}

void policy_free(struct policy *p)
{
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

/* --- event statistics --------------------------------------------------------- */

void policy_tracker_init(struct policy_tracker *t)
{
	memset(t, 0, sizeof(*t));
}

void policy_tracker_free(struct policy_tracker *t)
{
	free(t->b);
	memset(t, 0, sizeof(*t));
}

static struct policy_block_stats *tracker_get(struct policy_tracker *t,
					      uint64_t block)
{
	const struct policy_block_stats *p = t->b;
	size_t lo = 0, len = t->nr, h = t->hint[block % 64];

	/* the same few blocks again and again; else a branch-free halving
	 * (called for every online/offline event) */
	if (h < len && p[h].block == block)
		return &t->b[h];
	if (len) {
		while (len > 1) {
			size_t half = len / 2;

			p = p[half - 1].block < block ? p + half : p;
			len -= half;
		}
		lo = (size_t)(p - t->b) + (p->block < block);
	}
	t->hint[block % 64] = lo;
	if (lo < t->nr && t->b[lo].block == block)
		return &t->b[lo];
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct policy_block_stats *nb;

		if (cap > ZA_MAX_BLOCKS)
			return NULL;
		nb = realloc(t->b, cap * sizeof(*nb));
		if (!nb)
			return NULL;
		t->b = nb;
		t->cap = cap;
	}
	memmove(&t->b[lo + 1], &t->b[lo], (t->nr - lo) * sizeof(*t->b));
	memset(&t->b[lo], 0, sizeof(*t->b));
	t->b[lo].block = block;
	t->nr++;
	return &t->b[lo];
}

const struct policy_block_stats *
policy_tracker_find(const struct policy_tracker *t, uint64_t block)
{
	for (size_t lo = 0, hi = t->nr; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->b[mid].block == block)
			return &t->b[mid];
		if (t->b[mid].block < block)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int policy_track_event(struct policy_tracker *t, const struct memhp_event *e,
		       uint64_t pages_per_block)
{
	struct policy_block_stats *b;
	unsigned int kind = e->hdr.kind;

	if (kind != MEMHP_EV_ONLINE && kind != MEMHP_EV_OFFLINE)
		return 0;
	if (!pages_per_block)
		return 0;
	t->events++;
	/* a shift for the power-of-2 block sizes of real systems */
	b = tracker_get(t, pages_per_block & (pages_per_block - 1)
				   ? e->start_pfn / pages_per_block
				   : e->start_pfn >> __builtin_ctzll(pages_per_block));
	if (!b)
		return -ENOMEM;
	if (kind == MEMHP_EV_OFFLINE) {
		if (e->ret) {
			b->offline_failures++;
			b->last_offline_error = e->ret;
		}
		return 0;
	}
	if (e->ret) {
		b->online_failures++;
		b->last_online_error = e->ret;
		return 0;
	}
	if (e->flags & MEMHP_F_DURATION) {
		b->onlines++;
		if (e->duration_ns > b->max_online_ns)
			b->max_online_ns = e->duration_ns;
	}
	return 0;
}

/* --- evaluation ------------------------------------------------------------------ */

void policy_result_init(struct policy_result *r)
{
	memset(r, 0, sizeof(*r));
}

void policy_result_free(struct policy_result *r)
{
	free(r->v);
	free(r->evaluated);
	memset(r, 0, sizeof(*r));
}

void policy_fmt_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB",
					 "PiB", "EiB" };
	unsigned int i = 0;
	double v = (double)b;

	while (v >= 1024 && i < 6) {
		v /= 1024;
		i++;
	}
	if (!i)
		snprintf(buf, len, "%" PRIu64 " B", b);
	else if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%" PRIu64 " %s", (uint64_t)v, u[i]);
	else
		snprintf(buf, len, "%.2f %s", v, u[i]);
}

struct ev {
	const struct policy *p;
	const struct policy_state *s;
	struct policy_result *r;
	size_t rule;
	uint64_t ps;
	int err;
};

static struct policy_violation *add_v(struct ev *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A new violation of the current rule, object named by @fmt. */
static struct policy_violation *add_v(struct ev *e, const char *fmt, ...)
{
	struct policy_result *r = e->r;
	struct policy_violation *v;
	va_list ap;

	if (r->nr == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct policy_violation *nv;

		if (cap > (1u << 22)) {
			e->err = -E2BIG;
			return NULL;
		}
		nv = realloc(r->v, cap * sizeof(*nv));
		if (!nv) {
			e->err = -ENOMEM;
			return NULL;
		}
		r->v = nv;
		r->cap = cap;
	}
	v = &r->v[r->nr++];
	memset(v, 0, sizeof(*v));
	v->rule = e->rule;
	v->node = -1;
	v->zone = -1;
	v->group = -1;
	va_start(ap, fmt);
	vsnprintf(v->object, sizeof(v->object), fmt, ap);
	va_end(ap);
	return v;
}

static uint64_t ratio_pct(uint64_t movable, uint64_t kernel, bool *inf)
{
	*inf = false;
	if (!kernel) {
		*inf = movable > 0;
		return 0;
	}
	return movable > UINT64_MAX / 100 ? movable / kernel * 100 :
					    movable * 100 / kernel;
}

static const char *group_name(const struct policy_state *s, int gid)
{
	for (size_t i = 0; i < s->nr_devs; i++)
		if (s->devs[i].group == gid)
			return s->devs[i].name;
	return NULL;
}

static void group_object(const struct policy_state *s,
			 const struct za_group *g, char *buf, size_t len)
{
	const char *n = group_name(s, g->id);

	if (n && *n)
		snprintf(buf, len, "group %d (%s)", g->id, n);
	else
		snprintf(buf, len, "group %d", g->id);
}

static bool rule_wants_group(const struct policy_state *s,
			     const struct policy_rule *r,
			     const struct za_group *g)
{
	const char *n;

	if (!g->registered)
		return false;
	if (r->group >= 0 && g->id != r->group)
		return false;
	if (r->group_name[0]) {
		n = group_name(s, g->id);
		if (!n || strcmp(n, r->group_name))
			return false;
	}
	if (r->node >= 0 && g->nid != r->node)
		return false;
	if (r->groups == POL_GROUPS_STATIC && g->dynamic)
		return false;
	if (r->groups == POL_GROUPS_DYNAMIC && !g->dynamic)
		return false;
	return true;
}

/* Blocks of group @gid: first, last, and how many. */
static size_t group_blocks(const struct za_state *za, int gid, uint64_t *first,
			   uint64_t *last)
{
	size_t n = 0;

	for (size_t i = 0; i < za->nr_blocks; i++) {
		if (za->blocks[i].group != gid)
			continue;
		if (!n)
			*first = za->blocks[i].id;
		*last = za->blocks[i].id;
		n++;
	}
	return n;
}

static bool node_has_memory(const struct za_state *za, int nid)
{
	const struct za_node *n = za_node_find(za, nid);

	if (!n)
		return false;
	for (int z = 0; z < ZA_NR_ZONES; z++)
		if (n->zones[z].present)
			return true;
	return false;
}

static void ratio_violation(struct ev *e, const struct policy_rule *r,
			    const char *obj, int nid, int gid, uint64_t movable,
			    uint64_t kernel, const char *kernel_what)
{
	struct policy_violation *v;
	char m[32], k[32];
	bool inf;
	uint64_t pct = ratio_pct(movable, kernel, &inf);

	if (!inf && pct <= r->max)
		return;
	v = add_v(e, "%s", obj);
	if (!v)
		return;
	v->node = nid;
	v->group = gid;
	v->unit = POL_UNIT_PERCENT;
	v->actual = pct;
	v->infinite = inf;
	v->limit = r->max;
	policy_fmt_bytes(movable * e->ps, m, sizeof(m));
	policy_fmt_bytes(kernel * e->ps, k, sizeof(k));
	{
		char a[24];

		if (inf)
			snprintf(a, sizeof(a), "inf");
		else
			snprintf(a, sizeof(a), "%" PRIu64, pct);
		snprintf(v->detail, sizeof(v->detail),
			 "MOVABLE:KERNEL %s exceeds %" PRIu64
			 " (Movable %s, %s %s)",
			 a, r->max, m, kernel_what, k);
	}
	if (gid >= 0) {
		uint64_t f = 0, l = 0;

		if (group_blocks(e->s->za, gid, &f, &l)) {
			v->has_blocks = true;
			v->first_block = f;
			v->last_block = l;
		}
	}
}

static void eval_max_ratio(struct ev *e, const struct policy_rule *r)
{
	const struct za_state *za = e->s->za;
	struct za_stats st;
	char obj[96];

	switch (r->scope) {
	case POL_SCOPE_GLOBAL:
		za_stats(za, ZA_NUMA_NO_NODE, NULL, &st);
		ratio_violation(e, r, "global", -1, -1, st.movable_pages,
				st.kernel_early_pages, "kernel early");
		break;
	case POL_SCOPE_NODE:
		for (int nid = 0; nid < za->nr_nodes; nid++) {
			if (r->node >= 0 && nid != r->node)
				continue;
			if (!node_has_memory(za, nid))
				continue;
			za_stats(za, nid, NULL, &st);
			snprintf(obj, sizeof(obj), "node %d", nid);
			ratio_violation(e, r, obj, nid, -1, st.movable_pages,
					st.kernel_early_pages, "kernel early");
		}
		break;
	case POL_SCOPE_GROUP:
		for (size_t i = 0; i < za->nr_groups; i++) {
			const struct za_group *g = &za->groups[i];

			if (!rule_wants_group(e->s, r, g))
				continue;
			group_object(e->s, g, obj, sizeof(obj));
			ratio_violation(e, r, obj, g->nid, g->id,
					g->present_movable_pages,
					g->present_kernel_pages, "kernel");
		}
		break;
	}
}

static void eval_single_zone(struct ev *e, const struct policy_rule *r)
{
	const struct za_state *za = e->s->za;

	for (size_t i = 0; i < za->nr_groups; i++) {
		const struct za_group *g = &za->groups[i];
		uint64_t cnt[ZA_NR_ZONES + 1] = { 0 };
		uint64_t first[ZA_NR_ZONES + 1], last[ZA_NR_ZONES + 1];
		uint64_t f = 0, l = 0;
		unsigned int nz = 0;
		struct policy_violation *v;
		char obj[96];
		size_t off = 0;

		if (g->dynamic || !rule_wants_group(e->s, r, g))
			continue;
		for (size_t j = 0; j < za->nr_blocks; j++) {
			const struct za_block *b = &za->blocks[j];
			int z;

			if (b->group != g->id || !b->online)
				continue;
			z = b->zone >= 0 && b->zone < ZA_NR_ZONES ? b->zone :
								    ZA_NR_ZONES;
			if (!cnt[z]++) {
				first[z] = b->id;
				nz++;
			}
			last[z] = b->id;
		}
		if (nz <= 1)
			continue;
		group_object(e->s, g, obj, sizeof(obj));
		v = add_v(e, "%s", obj);
		if (!v)
			return;
		v->node = g->nid;
		v->group = g->id;
		v->unit = POL_UNIT_ZONES;
		v->actual = nz;
		v->limit = 1;
		if (group_blocks(za, g->id, &f, &l)) {
			v->has_blocks = true;
			v->first_block = f;
			v->last_block = l;
		}
		off = (size_t)snprintf(v->detail, sizeof(v->detail),
				       "onlined into %u zones:", nz);
		for (int z = 0; z <= ZA_NR_ZONES && off < sizeof(v->detail);
		     z++) {
			if (!cnt[z])
				continue;
			off += (size_t)snprintf(
				v->detail + off, sizeof(v->detail) - off,
				"%s %s %" PRIu64 " block%s (memory%" PRIu64
				"..%" PRIu64 ")",
				off > 20 && v->detail[off - 1] != ':' ? "," : "",
				z < ZA_NR_ZONES ? za_zone_name(z) : "mixed",
				cnt[z], cnt[z] == 1 ? "" : "s", first[z],
				last[z]);
		}
	}
}

static void eval_normal_below_movable(struct ev *e, const struct policy_rule *r)
{
	const struct za_state *za = e->s->za;

	for (int nid = 0; nid < za->nr_nodes; nid++) {
		const struct za_zone *mv, *kz;
		struct policy_violation *v;

		if (r->node >= 0 && nid != r->node)
			continue;
		mv = &za->nodes[nid].zones[ZA_ZONE_MOVABLE];
		if (!mv->spanned)
			continue;
		for (int z = ZA_ZONE_DMA; z <= ZA_ZONE_NORMAL; z++) {
			uint64_t end;

			kz = &za->nodes[nid].zones[z];
			if (!kz->spanned)
				continue;
			end = kz->start_pfn + kz->spanned;
			if (end <= mv->start_pfn)
				continue;
			v = add_v(e, "node %d %s", nid, za_zone_name(z));
			if (!v)
				return;
			v->node = nid;
			v->zone = z;
			v->unit = POL_UNIT_PFN;
			v->actual = end;
			v->limit = mv->start_pfn;
			snprintf(v->detail, sizeof(v->detail),
				 "%s spans pfn 0x%" PRIx64 "-0x%" PRIx64
				 ", %s Movable (pfn 0x%" PRIx64 "-0x%" PRIx64
				 ")",
				 za_zone_name(z), kz->start_pfn, end,
				 kz->start_pfn < mv->start_pfn + mv->spanned ?
					 "overlapping" :
					 "above",
				 mv->start_pfn, mv->start_pfn + mv->spanned);
			if (za->block_pages) {
				v->has_blocks = true;
				v->first_block = mv->start_pfn / za->block_pages;
				v->last_block = (end - 1) / za->block_pages;
			}
		}
	}
}

static void eval_kernel_reserve(struct ev *e, const struct policy_rule *r)
{
	const struct za_state *za = e->s->za;
	uint64_t ratio = r->ratio >= 0 ? (uint64_t)r->ratio :
			 za->cfg.policy == ZA_POLICY_AUTO_MOVABLE ? za->cfg.ratio :
								     UINT64_MAX;
	uint64_t reserve = (r->min_bytes + e->ps - 1) / e->ps;

	for (int nid = 0; nid < za->nr_nodes; nid++) {
		struct za_stats st;
		struct policy_violation *v;
		uint64_t kernel = 0, avail, limit;
		char a[32], b[32], c[32];

		if (r->node >= 0 && nid != r->node)
			continue;
		if (!node_has_memory(za, nid))
			continue;
		for (int z = ZA_ZONE_DMA; z <= ZA_ZONE_NORMAL; z++) {
			const struct za_zone *zz = &za->nodes[nid].zones[z];

			kernel += zz->present > zz->cma ? zz->present - zz->cma :
							  0;
		}
		if (kernel < reserve) {
			v = add_v(e, "node %d", nid);
			if (!v)
				return;
			v->node = nid;
			v->unit = POL_UNIT_BYTES;
			v->actual = kernel * e->ps;
			v->limit = r->min_bytes;
			policy_fmt_bytes(v->actual, a, sizeof(a));
			policy_fmt_bytes(v->limit, b, sizeof(b));
			snprintf(v->detail, sizeof(v->detail),
				 "kernel memory %s is below the reserve %s", a,
				 b);
			continue;
		}
		if (ratio == UINT64_MAX)
			continue;
		za_stats(za, nid, NULL, &st);
		avail = st.kernel_early_pages > reserve ?
				st.kernel_early_pages - reserve :
				0;
		limit = avail > UINT64_MAX / 100 ? avail / 100 * ratio :
						   avail * ratio / 100;
		if (st.movable_pages <= limit)
			continue;
		v = add_v(e, "node %d", nid);
		if (!v)
			return;
		v->node = nid;
		v->unit = POL_UNIT_BYTES;
		v->actual = st.movable_pages * e->ps;
		v->limit = limit * e->ps;
		policy_fmt_bytes(v->actual, a, sizeof(a));
		policy_fmt_bytes(v->limit, b, sizeof(b));
		policy_fmt_bytes(r->min_bytes, c, sizeof(c));
		snprintf(v->detail, sizeof(v->detail),
			 "Movable %s exceeds %" PRIu64
			 "%% of kernel early memory minus the reserve %s (%s)",
			 a, ratio, c, b);
	}
}

static void eval_balloon(struct ev *e, const struct policy_rule *r)
{
	const struct za_state *za = e->s->za;
	uint64_t movable = 0;

	for (int nid = 0; nid < za->nr_nodes; nid++)
		movable += za->nodes[nid].zones[ZA_ZONE_MOVABLE].present;
	if (!movable)
		return;
	for (size_t i = 0; i < e->s->nr_balloons; i++) {
		const struct policy_balloon *b = &e->s->balloons[i];
		struct policy_violation *v;
		char m[32];

		if (b->compaction != 0)
			continue;
		v = add_v(e, "balloon %s", b->driver);
		if (!v)
			return;
		v->unit = POL_UNIT_BYTES;
		v->actual = movable * e->ps;
		v->limit = 0;
		policy_fmt_bytes(v->actual, m, sizeof(m));
		snprintf(v->detail, sizeof(v->detail),
			 "%s Movable memory while %s (no balloon compaction) is active: its pages pin Movable memory",
			 m, b->driver);
	}
}

static void eval_block_events(struct ev *e, const struct policy_rule *r)
{
	const struct policy_tracker *t = e->s->events;

	for (size_t i = 0; i < t->nr; i++) {
		const struct policy_block_stats *b = &t->b[i];
		struct policy_violation *v;
		uint64_t actual;
		char err[16];

		switch (r->type) {
		case POL_OFFLINE_FAILURES:
			actual = b->offline_failures;
			break;
		case POL_ONLINE_FAILURES:
			actual = b->online_failures;
			break;
		default:
			actual = b->max_online_ns;
			break;
		}
		if (actual <= r->max)
			continue;
		v = add_v(e, "memory%" PRIu64, b->block);
		if (!v)
			return;
		v->has_blocks = true;
		v->first_block = v->last_block = b->block;
		v->actual = actual;
		v->limit = r->max;
		if (r->type == POL_ONLINE_LATENCY) {
			v->unit = POL_UNIT_NS;
			snprintf(v->detail, sizeof(v->detail),
				 "slowest online took %.3f ms (budget %.3f ms; %" PRIu64
				 " onlines timed)",
				 (double)actual / 1e6, (double)r->max / 1e6,
				 b->onlines);
		} else {
			int last = r->type == POL_OFFLINE_FAILURES ?
					   b->last_offline_error :
					   b->last_online_error;

			v->unit = POL_UNIT_COUNT;
			snprintf(err, sizeof(err), "%d", last);
			snprintf(v->detail, sizeof(v->detail),
				 "%s failed %" PRIu64 " times (budget %" PRIu64
				 "; last error %s)",
				 r->type == POL_OFFLINE_FAILURES ? "offline" :
								   "online",
				 actual, r->max, err);
		}
	}
}

static void eval_coverage(struct ev *e, const struct policy_rule *r)
{
	const struct memhp_model *m = e->s->model;

	for (size_t i = 0; i < m->nr_blocks; i++) {
		const struct memhp_block *b = &m->blocks[i];
		const struct memhp_block_ev *x = model_block_ev(m, b);
		struct policy_violation *v;
		uint64_t pages = r->type == POL_UNCOVERED_ONLINE ?
					 x->uncovered_released :
					 x->backed_not_onlined;
		char a[32];

		if (!x->coverage_known || !pages)
			continue;
		v = add_v(e, "memory%" PRIu64, b->id);
		if (!v)
			return;
		v->node = b->node;
		v->has_blocks = true;
		v->first_block = v->last_block = b->id;
		v->unit = POL_UNIT_BYTES;
		v->actual = pages * e->ps;
		v->limit = 0;
		policy_fmt_bytes(v->actual, a, sizeof(a));
		snprintf(v->detail, sizeof(v->detail),
			 r->type == POL_UNCOVERED_ONLINE ?
				 "%s released to the buddy allocator that %.15s never backed" :
				 "%s backed by %.15s but left offline",
			 a, x->coverage_driver[0] ? x->coverage_driver : "the driver");
	}
}

int policy_evaluate(const struct policy *p, const struct policy_state *s,
		    struct policy_result *r)
{
	struct ev e = { .p = p, .s = s, .r = r };

	if (!p || !s || !s->za || !r)
		return -EINVAL;
	e.ps = s->page_size ? s->page_size : 4096;
	r->nr = 0;
	if (r->nr_rules != p->nr || !r->evaluated) {
		free(r->evaluated);
		r->evaluated = calloc(p->nr ? p->nr : 1, sizeof(bool));
		if (!r->evaluated)
			return -ENOMEM;
		r->nr_rules = p->nr;
	}
	for (size_t i = 0; i < p->nr && !e.err; i++) {
		const struct policy_rule *rule = &p->rules[i];

		e.rule = i;
		r->evaluated[i] = true;
		switch (rule->type) {
		case POL_MAX_RATIO:
			eval_max_ratio(&e, rule);
			break;
		case POL_SINGLE_ZONE_GROUP:
			eval_single_zone(&e, rule);
			break;
		case POL_NORMAL_BELOW_MOVABLE:
			eval_normal_below_movable(&e, rule);
			break;
		case POL_KERNEL_RESERVE:
			eval_kernel_reserve(&e, rule);
			break;
		case POL_BALLOON_MOVABLE:
			eval_balloon(&e, rule);
			break;
		case POL_OFFLINE_FAILURES:
		case POL_ONLINE_FAILURES:
		case POL_ONLINE_LATENCY:
			if (!s->events)
				r->evaluated[i] = false;
			else
				eval_block_events(&e, rule);
			break;
		case POL_UNCOVERED_ONLINE:
		case POL_BACKED_NOT_ONLINED:
			if (!s->model || !s->events)
				r->evaluated[i] = false;
			else
				eval_coverage(&e, rule);
			break;
		default:
			r->evaluated[i] = false;
			break;
		}
	}
	if (e.err)
		return e.err;
	return (int)(r->nr > INT_MAX ? INT_MAX : r->nr);
}

size_t policy_count_at_least(const struct policy *p,
			     const struct policy_result *r,
			     enum policy_severity min)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nr; i++)
		if (r->v[i].rule < p->nr && p->rules[r->v[i].rule].severity >= min)
			n++;
	return n;
}

void policy_violation_key(const struct policy_violation *v, char *buf,
			  size_t len)
{
	snprintf(buf, len, "%zu|%s", v->rule, v->object);
}

static void fmt_num(enum policy_unit u, uint64_t x, bool inf, char *buf,
		    size_t len)
{
	if (inf) {
		snprintf(buf, len, "inf");
		return;
	}
	switch (u) {
	case POL_UNIT_BYTES:
		policy_fmt_bytes(x, buf, len);
		break;
	case POL_UNIT_NS:
		snprintf(buf, len, "%.3f ms", (double)x / 1e6);
		break;
	case POL_UNIT_PFN:
		snprintf(buf, len, "pfn 0x%" PRIx64, x);
		break;
	default:
		snprintf(buf, len, "%" PRIu64, x);
		break;
	}
}

void policy_violation_text(const struct policy *p,
			   const struct policy_violation *v, char *buf,
			   size_t len)
{
	const struct policy_rule *r = &p->rules[v->rule];
	char a[32], l[32], blocks[64] = "";

	fmt_num(v->unit, v->actual, v->infinite, a, sizeof(a));
	fmt_num(v->unit, v->limit, false, l, sizeof(l));
	if (v->has_blocks && v->first_block != v->last_block)
		snprintf(blocks, sizeof(blocks), " memory%" PRIu64 "-%" PRIu64,
			 v->first_block, v->last_block);
	else if (v->has_blocks && strncmp(v->object, "memory", 6))
		snprintf(blocks, sizeof(blocks), " memory%" PRIu64,
			 v->first_block);
	snprintf(buf, len, "%s %s [%s] %s%s: %s (actual %s, limit %s)",
		 policy_severity_name(r->severity), r->name,
		 policy_rule_type_name(r->type), v->object, blocks, v->detail,
		 a, l);
}

/* --- continuous ------------------------------------------------------------------ */

void policy_watch_init(struct policy_watch *w)
{
	memset(w, 0, sizeof(*w));
}

void policy_watch_free(struct policy_watch *w)
{
	policy_result_free(&w->cur);
	policy_result_free(&w->prev);
}

static const struct policy_violation *find_key(const struct policy_result *r,
					       const struct policy_violation *v)
{
	for (size_t i = 0; i < r->nr; i++)
		if (r->v[i].rule == v->rule &&
		    !strcmp(r->v[i].object, v->object))
			return &r->v[i];
	return NULL;
}

int policy_watch_eval(struct policy_watch *w, const struct policy *p,
		      const struct policy_state *s, policy_transition_fn fn,
		      void *ctx)
{
	struct policy_result tmp;
	int ret;

	/* prev <- cur, then evaluate into cur (reusing the old prev's memory). */
	tmp = w->prev;
	w->prev = w->cur;
	w->cur = tmp;
	ret = policy_evaluate(p, s, &w->cur);
	if (ret < 0) {
		/* Keep the last good result as current. */
		tmp = w->prev;
		w->prev = w->cur;
		w->cur = tmp;
		return ret;
	}
	w->evaluations++;
	if (!fn)
		return ret;
	for (size_t i = 0; i < w->prev.nr; i++)
		if (!find_key(&w->cur, &w->prev.v[i]))
			fn(POL_CLEAR, p, &w->prev.v[i], ctx);
	for (size_t i = 0; i < w->cur.nr; i++)
		if (!find_key(&w->prev, &w->cur.v[i]))
			fn(POL_APPEAR, p, &w->cur.v[i], ctx);
	return ret;
}
