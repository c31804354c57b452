// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus exposition (user/lib/prom.c) of a model, zone data, event
 * statistics and probes made from the input, checked with a strict reader
 * of the text format.
 *
 * Input (struct fz_in, little-endian; missing bytes read as 0):
 *   u8 flags     1 live, 2 per-block, 4 scrapes, 8 zoneinfo, 16 explicit
 *                groups, 32 small output limit, 64 sysfs settings known,
 *                128 a start time; with 4 also this process's process_*
 *   u8 bs_shift  block size 1 << (bs_shift % 64) (0: 128 MiB)
 *   u8 ps_shift  page size 1 << (ps_shift % 64) (0: 4 KiB)
 *   u16 max      the output limit with flag 32
 *   settings     3 strings (u8 length + bytes), then i32 ratio, i32 numa
 *   u8 nblocks   each: u8 id step, u8 state, i8 node, string zones
 *   u8 nevents   each: u8 kind, i32 ret, u32 flags, u64 duration_ns,
 *                u64 start_pfn, u16 nr_pages, u16 released, i32 group id,
 *                u64 group key, u32 group pages -> model_apply_event()
 *                and prom_stats_event()
 *   u8 ngroups   (flag 16) each: i32 id, i32 nid, u8 dyn, u64 x3
 *   u8 nprobes   each: name, how (strings), u8 attached
 *   version, kernel release (strings), u64 seen lost malformed inconsistent,
 *   f64 start time, f64 render seconds, u64 scrapes, errors
 *   the rest     /proc/zoneinfo text (flag 8)
 *
 * Checked: prom_render() returns 0 or -ENOMEM (then only with a small
 * limit); what it returns is a valid exposition: every line ends with a
 * newline; HELP then TYPE before a family's samples, families not split,
 * no family twice; sample names belong to the current family; label names
 * are identifiers, values escaped (no raw newline, only \\ \" \n); no
 * series twice; sample values are numbers, +Inf, -Inf or NaN; histogram
 * buckets cumulative, +Inf equal to _count.
 *
 * MEMHP_FUZZ_SEEDS=DIR writes seeds and exits; MEMHP_FUZZ_DUMP=1 prints
 * each exposition to stderr.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>

#include "decode.h"
#include "fuzz_common.h"
#include "memhp.h"
#include "model.h"
#include "procself.h"
#include "prom.h"
#include "zoneinfo.h"

/* --- the exposition reader ------------------------------------------------ */

struct seen {
	char **s;
	size_t n, cap;
};

static bool seen_add(struct seen *st, const char *s)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->s[i], s))
			return false;
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->s = realloc(st->s, st->cap * sizeof(*st->s));
		FZ_CHECK(st->s);
	}
	st->s[st->n] = strdup(s);
	FZ_CHECK(st->s[st->n]);
	st->n++;
	return true;
}

/* Kept for one check at the end: O(n log n) for big per-block outputs. */
static void seen_push(struct seen *st, const char *s)
{
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->s = realloc(st->s, st->cap * sizeof(*st->s));
		FZ_CHECK(st->s);
	}
	st->s[st->n] = strdup(s);
	FZ_CHECK(st->s[st->n]);
	st->n++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool seen_unique(struct seen *st)
{
	size_t i;

	if (st->n)
		qsort(st->s, st->n, sizeof(*st->s), cmp_str);
	for (i = 1; i < st->n; i++)
		if (!strcmp(st->s[i - 1], st->s[i])) {
			fz_err("fuzz_prom: series twice: %s\n", st->s[i]);
			return false;
		}
	return true;
}

static void seen_free(struct seen *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		free(st->s[i]);
	free(st->s);
	memset(st, 0, sizeof(*st));
}

static bool ident(const char *s, size_t n, bool colon)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(isalpha(c) || c == '_' || (colon && c == ':') ||
		      (i && isdigit(c))))
			return false;
	}
	return true;
}

static bool value_ok(const char *v)
{
	char *end;

	if (!strcmp(v, "+Inf") || !strcmp(v, "-Inf") || !strcmp(v, "NaN"))
		return true;
	if (!*v || isspace((unsigned char)*v))
		return false;
	errno = 0;
	strtod(v, &end);
	return !*end;
}

/* Parse {a="x",b="y"} at *p; the labels (without "le") into @key. */
static void labels(const char **pp, char *key, size_t keylen, char *le,
		   size_t lelen)
{
	const char *p = *pp;
	size_t k = 0;

	le[0] = '\0';
	FZ_CHECK(*p == '{');
	p++;
	while (*p != '}') {
		const char *name = p, *val;
		size_t nl, vl;
		bool is_le;

		nl = strcspn(p, "=");
		FZ_CHECK(ident(name, nl, false));
		is_le = nl == 2 && !strncmp(name, "le", 2);
		p += nl;
		FZ_CHECK(p[0] == '=' && p[1] == '"');
		p += 2;
		val = p;
		while (*p != '"') {
			FZ_CHECK(*p && *p != '\n');
			if (*p == '\\') {
				FZ_CHECK(p[1] == '\\' || p[1] == '"' || p[1] == 'n');
				p++;
			}
			p++;
		}
		vl = (size_t)(p - val);
		if (is_le) {
			FZ_CHECK(vl < lelen);
			memcpy(le, val, vl);
			le[vl] = '\0';
		} else {
			FZ_CHECK(k + nl + vl + 4 < keylen);
			k += (size_t)snprintf(key + k, keylen - k, "%.*s=\"%.*s\",",
					      (int)nl, name, (int)vl, val);
		}
		p++;
		if (*p == ',')
			p++;
		else
			FZ_CHECK(*p == '}');
	}
	*pp = p + 1;
}

struct hist {
	char key[1024];
	double last;
	double inf;
	bool has_inf;
};

static size_t check_exposition(const char *text, size_t len)
{
	struct seen fams = { 0 }, series = { 0 };
	struct hist h[32];
	size_t nh = 0, samples = 0, i;
	char cur[128] = "", type[16] = "", help[128] = "";
	const char *p = text, *end = text + len;

	FZ_CHECK(strlen(text) == len);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char line[8192], name[128], key[2048], le[64], *q;
		const char *s;
		size_t n;

		FZ_CHECK(eol); /* every line ends with a newline */
		n = (size_t)(eol - p);
		FZ_CHECK(n < sizeof(line));
		memcpy(line, p, n);
		line[n] = '\0';
		p = eol + 1;
		if (!strncmp(line, "# HELP ", 7)) {
			n = strcspn(line + 7, " ");
			FZ_CHECK(n < sizeof(help) && ident(line + 7, n, true));
			memcpy(help, line + 7, n);
			help[n] = '\0';
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			n = strcspn(line + 7, " ");
			FZ_CHECK(n < sizeof(cur));
			memcpy(cur, line + 7, n);
			cur[n] = '\0';
			FZ_CHECK(!strcmp(cur, help)); /* HELP then TYPE */
			FZ_CHECK(seen_add(&fams, cur)); /* families not split */
			snprintf(type, sizeof(type), "%s", line + 7 + n + 1);
			FZ_CHECK(!strcmp(type, "gauge") || !strcmp(type, "counter") ||
				 !strcmp(type, "histogram"));
			if (!strcmp(type, "counter"))
				FZ_CHECK(strstr(cur, "_total"));
			continue;
		}
		FZ_CHECK(line[0] != '#' && line[0]);
		/* sample */
		n = strcspn(line, "{ ");
		FZ_CHECK(n < sizeof(name) && ident(line, n, true));
		memcpy(name, line, n);
		name[n] = '\0';
		FZ_CHECK(cur[0]);
		if (!strcmp(type, "histogram")) {
			size_t cl = strlen(cur);

			FZ_CHECK(!strncmp(name, cur, cl) &&
				 (!strcmp(name + cl, "_bucket") || !strcmp(name + cl, "_sum") ||
				  !strcmp(name + cl, "_count")));
		} else {
			FZ_CHECK(!strcmp(name, cur));
		}
		s = line + n;
		key[0] = '\0';
		le[0] = '\0';
		if (*s == '{')
			labels(&s, key, sizeof(key), le, sizeof(le));
		FZ_CHECK(*s == ' ');
		s++;
		FZ_CHECK(value_ok(s));
		{
			char full[2200];

			snprintf(full, sizeof(full), "%s{%s}le=%s", name, key, le);
			seen_push(&series, full);
		}
		/* histograms: cumulative buckets, +Inf == _count */
		if (!strcmp(type, "histogram")) {
			struct hist *x = NULL;
			double v = strtod(s, &q);

			for (i = 0; i < nh; i++)
				if (!strcmp(h[i].key, key))
					x = &h[i];
			if (!x) {
				FZ_CHECK(nh < sizeof(h) / sizeof(h[0]));
				x = &h[nh++];
				memset(x, 0, sizeof(*x));
				snprintf(x->key, sizeof(x->key), "%s", key);
			}
			if (strstr(name, "_bucket")) {
				FZ_CHECK(le[0]);
				FZ_CHECK(v >= x->last);
				x->last = v;
				if (!strcmp(le, "+Inf")) {
					x->inf = v;
					x->has_inf = true;
				}
			} else if (strstr(name, "_count")) {
				FZ_CHECK(x->has_inf && x->inf == v);
			}
		}
		samples++;
	}
	FZ_CHECK(seen_unique(&series)); /* no series twice */
	seen_free(&fams);
	seen_free(&series);
	return samples;
}

/* --- the input --------------------------------------------------------- */

static void str(struct fz_in *in, char *out, size_t outlen)
{
	size_t n;
	const uint8_t *p = fz_bytes(in, outlen - 1, &n);

	memcpy(out, p, n);
	out[n] = '\0';
}

static double f64(struct fz_in *in)
{
	uint64_t v = fz_u64(in);
	double d;

	memcpy(&d, &v, sizeof(d));
	return d;
}

/* --- seeds ------------------------------------------------------------- */

struct out {
	uint8_t b[8192];
	size_t n;
};

static void o_int(struct out *o, uint64_t v, size_t bytes)
{
	size_t i;

	for (i = 0; i < bytes; i++)
		o->b[o->n++] = (uint8_t)(v >> (8 * i));
}

static void o_str(struct out *o, const char *s)
{
	size_t n = strlen(s);

	o->b[o->n++] = (uint8_t)n;
	memcpy(o->b + o->n, s, n);
	o->n += n;
}

static void o_f64(struct out *o, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof(v));
	o_int(o, v, 8);
}

static void o_event(struct out *o, unsigned int kind, int ret, uint32_t flags,
		    uint64_t dur, uint64_t pfn, uint16_t pages, uint16_t rel,
		    int gid, uint64_t key)
{
	o_int(o, kind, 1);
	o_int(o, (uint32_t)ret, 4);
	o_int(o, flags, 4);
	o_int(o, dur, 8);
	o_int(o, pfn, 8);
	o_int(o, pages, 2);
	o_int(o, rel, 2);
	o_int(o, (uint32_t)gid, 4);
	o_int(o, key, 8);
	o_int(o, 8 * 32, 4);
}

static void write_seeds(const char *dir)
{
	static const char zi[] =
		"Node 0, zone      DMA\n        spanned  4095\n        present  3998\n"
		"        managed  3840\n        cma      0\n  start_pfn:           1\n"
		"Node 0, zone    DMA32\n        spanned  1044480\n        present  782304\n"
		"        managed  765856\n  start_pfn:           4096\n"
		"Node 0, zone   Normal\n        spanned  0\n        present  0\n"
		"Node 1, zone   Normal\n        spanned  524288\n        present  524288\n"
		"        managed  507904\n  start_pfn:           1048576\n"
		"Node 1, zone  Movable\n        spanned  65536\n        present  32768\n"
		"        managed  32768\n        cma      1024\n  start_pfn:           1572864\n"
		"Node 1, zone   Device\n        spanned  0\n        present  0\n";
	const char *names[] = { "full", "small-limit", "snapshot-only" };
	unsigned int fl[] = { 1 | 2 | 4 | 8 | 16 | 64 | 128, 1 | 8 | 32 | 64, 8 | 64 };
	char path[PATH_MAX];
	size_t k, i;

	for (k = 0; k < 3; k++) {
		struct out o = { .n = 0 };

		o_int(&o, fl[k], 1);
		o_int(&o, 27, 1); /* 128 MiB blocks */
		o_int(&o, 12, 1); /* 4 KiB pages */
		if (fl[k] & 32)
			o_int(&o, 3000, 2);
		o_str(&o, "online_movable");
		o_str(&o, "N");
		o_str(&o, "auto-movable");
		o_int(&o, 301, 4);
		o_int(&o, 1, 4);
		o_int(&o, 8, 1); /* blocks */
		for (i = 0; i < 8; i++) {
			static const char *const z[] = { "none", "DMA32", "Normal",
							 "Movable", "Normal Movable",
							 "DMA32", "Bogus", "" };

			o_int(&o, i == 4 ? 20 : 0, 1);
			o_int(&o, i == 4 ? 2 : i == 7 ? 0 : 1, 1);
			o_int(&o, i < 3 ? 0 : i == 6 ? 255 : 1, 1);
			o_str(&o, z[i]);
		}
		o_int(&o, 7, 1); /* events */
		o_event(&o, MEMHP_EV_GROUP_REGISTER, 0, MEMHP_F_GROUP | MEMHP_F_GROUP_ID,
			0, 0, 0, 0, 2, 0);
		o_event(&o, MEMHP_EV_ADD, 0, MEMHP_F_DURATION | MEMHP_F_GROUP |
			MEMHP_F_GROUP_ID | (1u << 24), 2500000, 40ull << 15, 0, 0, 2, 0);
		o_event(&o, MEMHP_EV_ONLINE, 0, MEMHP_F_DURATION | MEMHP_F_RELEASED |
			MEMHP_F_GROUP | MEMHP_F_GROUP_ID | MEMHP_F_GROUP_DYNAMIC,
			800000, 40ull << 15, 32768, 30000, 2, 0xffff888100a0b000ull);
		o_event(&o, MEMHP_EV_ONLINE, -16, MEMHP_F_DURATION, 40000000000ull,
			41ull << 15, 32768, 0, -1, 0);
		o_event(&o, MEMHP_EV_OFFLINE, -11, MEMHP_F_DURATION, 1, 3ull << 15,
			32768, 0, -1, 0);
		o_event(&o, MEMHP_EV_NOTIFY, 0x8001, 0, 0, 0, 0, 0, -1, 0);
		o_event(&o, MEMHP_EV_REMOVE, 0, MEMHP_F_DURATION, 123456789, 60ull << 15,
			0, 0, -1, 0);
		if (fl[k] & 16) {
			o_int(&o, 2, 1);
			o_int(&o, 0, 4), o_int(&o, 0, 4), o_int(&o, 0, 1);
			o_int(&o, 1ull << 30, 8), o_int(&o, 1ull << 29, 8), o_int(&o, 0, 8);
			o_int(&o, 0, 4), o_int(&o, (uint32_t)-1, 4), o_int(&o, 1, 1);
			o_int(&o, 1ull << 27, 8), o_int(&o, 0, 8), o_int(&o, 1ull << 31, 8);
		}
		o_int(&o, 3, 1); /* probes */
		o_str(&o, "online_pages"), o_str(&o, "fexit"), o_int(&o, 1, 1);
		o_str(&o, "add_memory_resource"), o_str(&o, "kretprobe"), o_int(&o, 1, 1);
		o_str(&o, "hv\"balloon\\\n"), o_str(&o, ""), o_int(&o, 0, 1);
		o_str(&o, "0.1.0");
		o_str(&o, "6.1.0-13-amd64");
		o_int(&o, 1000, 8), o_int(&o, 3, 8), o_int(&o, 1, 8), o_int(&o, 2, 8);
		if (fl[k] & 128)
			o_f64(&o, 1700000000.25);
		o_f64(&o, 0.00042);
		o_int(&o, 77, 8), o_int(&o, 1, 8);
		memcpy(o.b + o.n, zi, sizeof(zi) - 1);
		o.n += sizeof(zi) - 1;
		snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
		FZ_CHECK(!fz_write_file(path, o.b, o.n));
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("MEMHP_FUZZ_SEEDS");

	(void)argc;
	(void)argv;
	if (seeds) {
		write_seeds(seeds);
		exit(0);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct memhp_model m;
	struct prom_stats *st = calloc(1, sizeof(*st));
	struct prom_group groups[16];
	struct prom_probe probes[8];
	struct prom_input pi;
	struct proc_self self;
	struct zoneinfo zi;
	struct prom_buf b;
	char version[32], release[64];
	unsigned int flags, i, n;
	uint64_t id = 0;
	bool have_zi = false;
	int rc;

	FZ_CHECK(st);
	memset(&pi, 0, sizeof(pi));
	model_init(&m);
	flags = fz_u8(&in);
	n = fz_u8(&in) % 64;
	m.block_size = n ? 1ull << n : 128ull << 20;
	n = fz_u8(&in) % 64;
	m.page_size = n ? 1ull << n : 4096;
	prom_buf_init(&b);
	b.max = flags & 32 ? fz_u16(&in) : 0;

	if (flags & 64) {
		m.sys.snapshot = true;
		str(&in, m.sys.auto_online_blocks, sizeof(m.sys.auto_online_blocks));
		str(&in, m.sys.memmap_on_memory, sizeof(m.sys.memmap_on_memory));
		str(&in, m.sys.online_policy, sizeof(m.sys.online_policy));
		m.sys.auto_movable_ratio = (int)fz_u32(&in);
		m.sys.auto_movable_numa_aware = (int)fz_u32(&in);
	}
	n = fz_u8(&in);
	for (i = 0; i < n && in.n; i++) {
		struct memhp_block *bl;
		char z[MEMHP_ZONES_LEN];

		id += fz_u8(&in);
		bl = model_block_get(&m, id);
		FZ_CHECK(bl);
		bl->state = (enum memhp_block_state)(fz_u8(&in) % 4);
		bl->node = (int8_t)fz_u8(&in);
		str(&in, z, sizeof(z));
		FZ_CHECK(!model_set_zones(&m, bl, z, sizeof(z)));
		id++;
	}
	n = fz_u8(&in);
	for (i = 0; i < n && in.n; i++) {
		struct memhp_event e;

		memset(&e, 0, sizeof(e));
		e.hdr.abi = MEMHP_ABI_VERSION;
		e.hdr.kind = fz_u8(&in) % (MEMHP_EV_KIND_MAX + 1);
		e.hdr.size = sizeof(e);
		e.ret = (int)fz_u32(&in);
		e.flags = fz_u32(&in);
		e.duration_ns = fz_u64(&in);
		e.start_pfn = fz_u64(&in);
		e.nr_pages = fz_u16(&in);
		e.released_pages = fz_u16(&in);
		e.group_id = (int)fz_u32(&in);
		e.group_key = fz_u64(&in);
		e.group_pages = fz_u32(&in);
		e.group_kernel_pages = e.nr_pages;
		e.group_movable_pages = e.released_pages;
		e.nid = (int8_t)(e.flags >> 24);
		prom_stats_event(st, &e);
		if (e.hdr.kind && e.hdr.kind < MEMHP_EV_KIND_MAX)
			model_apply_event(&m, &e);
	}
	if (flags & 16) {
		pi.groups = groups;
		pi.nr_groups = fz_u8(&in) % 17;
		for (i = 0; i < pi.nr_groups; i++) {
			groups[i].id = (int)fz_u32(&in);
			groups[i].nid = (int)fz_u32(&in);
			groups[i].dynamic = fz_u8(&in) & 1;
			groups[i].size_bytes = fz_u64(&in);
			groups[i].kernel_bytes = fz_u64(&in);
			groups[i].movable_bytes = fz_u64(&in);
		}
	}
	n = fz_u8(&in) % 9;
	for (i = 0; i < n; i++) {
		struct prom_probe *pr = &probes[pi.nr_probes];
		size_t j;

		str(&in, pr->name, sizeof(pr->name));
		str(&in, pr->how, sizeof(pr->how));
		pr->attached = fz_u8(&in) & 1;
		/* memhp's probes have distinct names (a static table) */
		for (j = 0; j < pi.nr_probes; j++)
			if (!strcmp(probes[j].name, pr->name))
				break;
		if (j == pi.nr_probes)
			pi.nr_probes++;
	}
	pi.probes = probes;
	str(&in, version, sizeof(version));
	str(&in, release, sizeof(release));
	pi.seen = fz_u64(&in);
	pi.lost = fz_u64(&in);
	pi.malformed = fz_u64(&in);
	pi.inconsistent = fz_u64(&in);
	if (flags & 128)
		pi.start_time = f64(&in);
	pi.last_render_seconds = f64(&in);
	pi.scrapes = fz_u64(&in);
	pi.scrape_errors = fz_u64(&in);
	if (flags & 8) {
		have_zi = !zoneinfo_parse((const char *)in.p, in.n, &zi);
		if (!have_zi)
			zoneinfo_free(&zi);
	}

	pi.model = &m;
	pi.zi = have_zi ? &zi : NULL;
	pi.stats = st;
	pi.live = flags & 1;
	pi.per_block = flags & 2;
	pi.scrapes_valid = flags & 4;
	if (flags & 4) { /* an HTTP scrape: the process_* families too */
		proc_self_read(&self, "/proc");
		pi.self = &self;
	}
	pi.version = version[0] ? version : NULL;
	pi.kernel_release = release;

	rc = prom_render(&b, &pi);
	FZ_CHECK(rc == 0 || rc == -ENOMEM);
	if (rc) {
		FZ_CHECK(b.oom && (b.max || m.nr_blocks > 100000));
	} else {
		FZ_CHECK(!b.oom && b.p);
		if (getenv("MEMHP_FUZZ_DUMP")) /* debugging: show it */
			fwrite(b.p, 1, b.len, stderr);
		check_exposition(b.p, b.len);
	}
	prom_buf_free(&b);
	if (have_zi)
		zoneinfo_free(&zi);
	model_free(&m);
	free(st);
	return 0;
}
