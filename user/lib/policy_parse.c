// SPDX-License-Identifier: GPL-2.0
/*
 * Policy files: the names of severities and rule types, and the parser
 * (libyaml's document API: every node carries its line). See
 * user/lib/policy.h and docs/policy.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cliopt.h"
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
	[POL_MIN_UNPLUGGABLE] = { "min-unpluggable", POL_SEV_WARNING, false },
	[POL_OFFLINE_DURATION] = { "offline-duration", POL_SEV_WARNING, true },
};

uint64_t policy_offline_budget_ns(const struct policy *p)
{
	uint64_t min = 0;

	for (size_t i = 0; p && i < p->nr; i++)
		if (p->rules[i].type == POL_OFFLINE_DURATION && p->rules[i].max &&
		    (!min || p->rules[i].max < min))
			min = p->rules[i].max;
	return min;
}

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

/*
 * A size, as every option takes it (cliopt_parse_size: 512M and 512MiB are
 * binary, 512MB decimal, 1.5G), plus what policies always accepted: one
 * space before the unit ("2 GiB") and lower-case k, m, g, t (binary).
 */
static int parse_size(struct pctx *c, const yaml_node_t *n, const char *key,
		      uint64_t *out)
{
	char buf[64];
	const char *s;
	size_t i, j = 0;
	int ret = want_scalar(c, n, key, &s);

	if (ret)
		return ret;
	if (strlen(s) >= sizeof(buf))
		return perr(c, n, "%s: \"%.40s\" is not a size", key, s);
	for (i = 0; s[i]; i++) {
		char ch = s[i];

		if (ch == ' ' && i && s[i - 1] != ' ')
			continue;
		/* only the unit's first letter may be lower case */
		if (j && ((buf[j - 1] >= '0' && buf[j - 1] <= '9') || buf[j - 1] == '.') &&
		    strchr("kmgt", ch))
			ch = (char)(ch - 'a' + 'A');
		buf[j++] = ch;
	}
	buf[j] = '\0';
	if (!cliopt_parse_size(buf, out))
		return perr(c, n,
			    "%s: \"%.40s\" is not a size (1G, 512M, 1.5G: K/M/G/T binary; KB/MB/GB/TB decimal)",
			    key, s);
	return 0;
}

/* A MOVABLE:KERNEL ratio in percent: 3.01, 301% or 301 (cliopt_parse_ratio). */
static int parse_ratio(struct pctx *c, const yaml_node_t *n, const char *key,
		       uint64_t *out)
{
	const char *s;
	int ret = want_scalar(c, n, key, &s);

	if (ret)
		return ret;
	if (!cliopt_parse_ratio(s, out) || *out > UINT_MAX)
		return perr(c, n,
			    "%s: \"%.40s\" is not a ratio (3.01, 301%% or 301: percent)",
			    key, s);
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

/* The words of scope: and groups:, in enum order (NULL-terminated). */
static const char *const scope_names[] = { "global", "node", "group", NULL };
static const char *const groups_names[] = { "all", "static", "dynamic", NULL };

/* A scalar that is one of @names; its index in @out. */
static int want_keyword(struct pctx *c, const yaml_node_t *n, const char *key,
			const char *const *names, uint64_t *out)
{
	const char *s;
	uint64_t i;
	int ret = want_scalar(c, n, key, &s);

	if (ret)
		return ret;
	for (i = 0; names[i]; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	return perr(c, n, "%s: \"%.40s\" is not %s, %s or %s", key, s, names[0], names[1],
		    names[2]);
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
	[POL_MIN_UNPLUGGABLE] = K_SCOPE | K_NODE | K_GROUP | K_GROUPS | K_MIN,
	[POL_OFFLINE_DURATION] = K_MAX,
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
			ret = want_keyword(c, vn, k, scope_names, &v);
			if (ret)
				return ret;
			r->scope = (enum policy_scope)v;
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
			ret = want_keyword(c, vn, k, groups_names, &v);
			if (ret)
				return ret;
			r->groups = (enum policy_groups)v;
			break;
		case K_MAX:
			if (t == POL_ONLINE_LATENCY || t == POL_OFFLINE_DURATION)
				ret = parse_duration(c, vn, k, &r->max);
			else if (t == POL_MAX_RATIO)
				ret = parse_ratio(c, vn, k, &r->max);
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
			ret = parse_ratio(c, vn, k, &v);
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
	if (t == POL_MAX_RATIO || t == POL_MIN_UNPLUGGABLE) {
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
