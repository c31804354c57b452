// SPDX-License-Identifier: GPL-2.0
/* Text and JSON output of a readiness scan (readiness_print.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jsonstr.h"
#include "readiness_print.h"
#include "zonealgo.h"

static const char *dev_kind_name(enum zi_dev_kind k)
{
	switch (k) {
	case ZI_DEV_DIMM:
		return "dimm";
	case ZI_DEV_VIRTIO_MEM:
		return "virtio-mem";
	case ZI_DEV_KMEM:
		return "kmem";
	default:
		return "raw";
	}
}

static const char *zone_name(int zone)
{
	return za_zone_text(zone);
}

/* Binary units: "0", "20K", "1.5M", "128M", "3G" */
static void human(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64, bytes);
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	/* One decimal below 100 ("12.5M"); whole above ("128M" for
	 * 127.96 MiB: "128.0M" would claim a precision the text does not
	 * need; JSON has the bytes). */
	if (bytes % (1ull << (10 * (u + 1))) == 0 || v >= 99.95)
		snprintf(buf, len, "%.0f%c", v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
}

void rd_verdict_text(const struct rd_block *b, uint64_t page_size, char *buf, size_t len)
{
	char m[32];

	switch (b->verdict) {
	case RD_READY:
		snprintf(buf, len, "ready");
		break;
	case RD_MIGRATE:
		human(b->migrate_pages * page_size, m, sizeof(m));
		/* "20K" -> "20 KiB" */
		if (m[0] && m[strlen(m) - 1] >= 'A')
			snprintf(buf, len, "needs migration of %.*s %ciB", (int)strlen(m) - 1, m,
				 m[strlen(m) - 1]);
		else
			snprintf(buf, len, "needs migration of %s B", m);
		break;
	case RD_BLOCKED:
		if (b->fail == RD_FAIL_ZONES)
			snprintf(buf, len, "blocked (spans zones)");
		else
			snprintf(buf, len, "blocked (%s)", kpage_kind_name(b->blocker));
		break;
	default:
		snprintf(buf, len, "offline");
	}
}

static const char *dev_name(const struct readiness *r, const struct rd_block *b)
{
	return b->dev >= 0 ? r->sys.devs[b->dev].name : "-";
}

static void print_sum_text(FILE *out, const char *what, const struct rd_sum *s)
{
	char on[32], un[32], rd[32], mg[32];

	human(s->online_bytes, on, sizeof(on));
	human(s->unpluggable_bytes, un, sizeof(un));
	human(s->ready_bytes, rd, sizeof(rd));
	human(s->migrate_bytes, mg, sizeof(mg));
	fprintf(out, "%-22s %5" PRIu64 " %7" PRIu64 " %7" PRIu64 " %7" PRIu64 " %8s %11s %8s %8s\n",
		what, s->blocks[RD_READY], s->blocks[RD_MIGRATE], s->blocks[RD_BLOCKED],
		s->blocks[RD_OFFLINE], on, un, rd, mg);
}

static bool any_first(const struct readiness *r, const struct rd_print_opts *o)
{
	size_t i;

	for (i = 0; i < r->nr_blocks; i++)
		if (r->blocks[i].nr_first && (r->blocks[i].online || o->all_blocks))
			return true;
	return false;
}

/* Who allocated the first unmovable pages: a line each, or one line why not. */
static void print_owners_text(FILE *out, const struct readiness *r, const struct rd_print_opts *o)
{
	struct pgowner_rec rec;
	enum pgowner_status st;
	size_t i, k;

	if (!o->owner || !any_first(r, o))
		return;
	if (o->owner->fd < 0) {
		fprintf(out, "Owners of the first unmovable pages: unknown (%s)\n\n",
			pgowner_status_text(o->owner->why));
		return;
	}
	fprintf(out, "Owners of the first unmovable pages (page_owner):\n");
	for (i = 0; i < r->nr_blocks; i++) {
		const struct rd_block *b = &r->blocks[i];

		if (!b->online && !o->all_blocks)
			continue;
		for (k = 0; k < b->nr_first; k++) {
			st = pgowner_lookup(o->owner, b->first_pfn[k], &rec);
			fprintf(out, "  memory%" PRIu64 " 0x%" PRIx64 " %s: ", b->id, b->first_pfn[k],
				kpage_kind_name(b->first_kind[k]));
			if (st == PGOWNER_FOUND)
				pgowner_print_text(out, &rec);
			else
				fprintf(out, "? (%s)", pgowner_status_text(st));
			fputc('\n', out);
		}
	}
	fputc('\n', out);
}

void rd_print_text(FILE *out, const struct readiness *r, const struct rd_print_opts *o)
{
	uint64_t bytes = r->block_pages * r->page_size;
	char what[64], v[64], fr[32], mg[32], um[32], start[24], grp[16];
	size_t i, k;
	int n;

	if (!o->summary_only) {
		fprintf(out, "%-12s %-14s %4s %-8s %5s %-12s %-28s %9s %9s %9s %s\n", "BLOCK",
			"START", "NODE", "ZONE", "GROUP", "DEVICE", "VERDICT", "FREE",
			"MIGRATE", "UNMOVABLE", "FIRST UNMOVABLE PAGES");
		for (i = 0; i < r->nr_blocks; i++) {
			const struct rd_block *b = &r->blocks[i];

			if (!b->online && !o->all_blocks)
				continue;
			snprintf(what, sizeof(what), "memory%" PRIu64, b->id);
			rd_verdict_text(b, r->page_size, v, sizeof(v));
			human(b->pages[KPAGE_FREE] * r->page_size, fr, sizeof(fr));
			human(b->migrate_pages * r->page_size, mg, sizeof(mg));
			human(b->unmovable_pages * r->page_size, um, sizeof(um));
			snprintf(start, sizeof(start), "0x%" PRIx64, b->id * bytes);
			/* no group: "-", as memhp ls prints it */
			if (b->group >= 0)
				snprintf(grp, sizeof(grp), "%d", b->group);
			else
				snprintf(grp, sizeof(grp), "-");
			fprintf(out, "%-12s %-14s %4d %-8s %5s %-12s %-28s %9s %9s %9s",
				what, start, b->nid, b->online ? zone_name(b->zone) : "-",
				grp, dev_name(r, b), v, fr, mg, um);
			for (k = 0; k < b->nr_first; k++)
				fprintf(out, "%s0x%" PRIx64 ":%s", k ? " " : " ", b->first_pfn[k],
					kpage_kind_name(b->first_kind[k]));
			if (b->unmovable_pages > b->nr_first)
				fprintf(out, " ...");
			fputc('\n', out);
		}
		fputc('\n', out);
		print_owners_text(out, r, o);
	}
	fprintf(out, "%-22s %5s %7s %7s %7s %8s %11s %8s %8s\n", "SUMMARY", "READY",
		"MIGRATE", "BLOCKED", "OFFLINE", "ONLINE", "UNPLUGGABLE", "READY",
		"TO-COPY");
	for (n = 0; n < r->nr_nodes; n++) {
		snprintf(what, sizeof(what), "node%d", n);
		print_sum_text(out, what, &r->nodes[n]);
	}
	for (i = 0; i < r->nr_zones; i++) {
		snprintf(what, sizeof(what), "node%d %s", r->zones[i].nid,
			 zone_name(r->zones[i].zone));
		print_sum_text(out, what, &r->zones[i].sum);
	}
	for (i = 0; i < r->sys.st.nr_groups; i++) {
		snprintf(what, sizeof(what), "group%d (%s)", r->sys.st.groups[i].id,
			 r->sys.st.groups[i].dynamic ? "dynamic" : "static");
		print_sum_text(out, what, &r->groups[i]);
	}
	for (i = 0; i < r->sys.nr_devs; i++) {
		snprintf(what, sizeof(what), "%.21s", r->sys.devs[i].name);
		print_sum_text(out, what, &r->devs[i]);
	}
	print_sum_text(out, "total", &r->total);
	if (!r->balloon_compaction && r->total.pages[KPAGE_OFFLINE])
		fprintf(out, "\nPageOffline pages outside virtio-mem memory: no balloon compaction found, "
			     "counted as unmovable unless their driver releases them.\n");
}

static void json_kinds(FILE *out, const uint64_t *pages32, const uint32_t *pages, uint64_t ps)
{
	int k, first = 1;

	fprintf(out, "{");
	for (k = 0; k < KPAGE_NR_KINDS; k++) {
		uint64_t n = pages32 ? pages32[k] : pages[k];

		if (!n)
			continue;
		fprintf(out, "%s\"%s\":%" PRIu64, first ? "" : ",", kpage_kind_name(k), n * ps);
		first = 0;
	}
	fprintf(out, "}");
}

static void json_sum(FILE *out, const struct rd_sum *s, uint64_t ps)
{
	int v;

	fprintf(out, "\"blocks\":{");
	for (v = 0; v < RD_NR_VERDICTS; v++)
		fprintf(out, "%s\"%s\":%" PRIu64, v ? "," : "", rd_verdict_name(v), s->blocks[v]);
	fprintf(out,
		"},\"online_bytes\":%" PRIu64 ",\"ready_bytes\":%" PRIu64
		",\"unpluggable_bytes\":%" PRIu64 ",\"migrate_bytes\":%" PRIu64 ",\"kinds\":",
		s->online_bytes, s->ready_bytes, s->unpluggable_bytes, s->migrate_bytes);
	json_kinds(out, s->pages, NULL, ps);
}

static void json_block(FILE *out, const struct readiness *r, const struct rd_block *b,
		       const struct pgowner_src *owner)
{
	uint64_t bytes = r->block_pages * r->page_size, ps = r->page_size;
	char v[64];
	size_t k;

	rd_verdict_text(b, ps, v, sizeof(v));
	fprintf(out, "{\"block\":%" PRIu64 ",\"start\":%" PRIu64 ",\"size\":%" PRIu64
		     ",\"node\":%d,\"state\":\"%s\",\"zone\":",
		b->id, b->id * bytes, bytes, b->nid, b->online ? "online" : "offline");
	if (b->online && b->zone >= 0) /* null: offline, or no single zone */
		fprintf(out, "\"%s\"", zone_name(b->zone));
	else
		fprintf(out, "null");
	fprintf(out, ",\"group\":");
	if (b->group >= 0)
		fprintf(out, "%d", b->group);
	else
		fprintf(out, "null");
	fprintf(out, ",\"device\":");
	if (b->dev >= 0)
		json_string(out, r->sys.devs[b->dev].name, sizeof(r->sys.devs[b->dev].name));
	else
		fprintf(out, "null");
	fprintf(out, ",\"early\":%s,\"verdict\":\"%s\",\"verdict_text\":\"%s\",\"blocker\":",
		b->early ? "true" : "false", rd_verdict_name(b->verdict), v);
	if (b->blocker >= 0)
		fprintf(out, "\"%s\"", kpage_kind_name(b->blocker));
	else if (b->fail == RD_FAIL_ZONES)
		fprintf(out, "\"spans-zones\"");
	else
		fprintf(out, "null");
	fprintf(out, ",\"fails_by\":");
	if (b->fail != RD_FAIL_NONE)
		fprintf(out, "\"%s\"", rd_fail_name(b->fail));
	else
		fprintf(out, "null");
	fprintf(out, ",\"free_bytes\":%" PRIu64 ",\"migrate_bytes\":%" PRIu64
		     ",\"unmovable_bytes\":%" PRIu64 ",\"kinds\":",
		b->pages[KPAGE_FREE] * ps, b->migrate_pages * ps, b->unmovable_pages * ps);
	json_kinds(out, NULL, b->pages, ps);
	fprintf(out, ",\"first_unmovable\":[");
	for (k = 0; k < b->nr_first; k++) {
		fprintf(out, "%s{\"pfn\":%" PRIu64 ",\"kind\":\"%s\"", k ? "," : "",
			b->first_pfn[k], kpage_kind_name(b->first_kind[k]));
		/* page_owner there: the owner, or why this page has none; not
		 * there: null, the document's "page_owner" says why once */
		if (owner && owner->fd >= 0) {
			struct pgowner_note n = { .pfn = b->first_pfn[k] };

			n.st = pgowner_lookup(owner, n.pfn, &n.rec);
			pgowner_note_json(out, &n, n.pfn);
		} else if (owner) {
			fprintf(out, ",\"owner\":null");
		}
		fputc('}', out);
	}
	fprintf(out, "]}");
}

void rd_print_json(FILE *out, const struct readiness *r, const struct rd_print_opts *o)
{
	size_t i;
	int n, first = 1;

	fprintf(out, "{\"page_size\":%" PRIu64 ",\"block_size\":%" PRIu64
		     ",\"pages_scanned\":%" PRIu64 ",\"balloon_compaction\":%s",
		r->page_size, r->block_pages * r->page_size, r->pages_scanned,
		r->balloon_compaction ? "true" : "false");
	if (o->owner) {
		fprintf(out, ",\"page_owner\":{\"available\":%s,\"why\":",
			o->owner->fd >= 0 ? "true" : "false");
		if (o->owner->fd >= 0)
			fprintf(out, "null}");
		else
			fprintf(out, "\"%s\"}", pgowner_status_text(o->owner->why));
	}
	if (!o->summary_only) {
		fprintf(out, ",\"blocks\":[");
		for (i = 0; i < r->nr_blocks; i++) {
			if (!r->blocks[i].online && !o->all_blocks)
				continue;
			fprintf(out, "%s", first ? "" : ",");
			json_block(out, r, &r->blocks[i], o->owner);
			first = 0;
		}
		fprintf(out, "]");
	}
	fprintf(out, ",\"nodes\":[");
	for (n = 0; n < r->nr_nodes; n++) {
		fprintf(out, "%s{\"node\":%d,", n ? "," : "", n);
		json_sum(out, &r->nodes[n], r->page_size);
		fprintf(out, "}");
	}
	fprintf(out, "],\"zones\":[");
	for (i = 0; i < r->nr_zones; i++) {
		fprintf(out, "%s{\"node\":%d,\"zone\":", i ? "," : "", r->zones[i].nid);
		if (r->zones[i].zone >= 0)
			fprintf(out, "\"%s\",", zone_name(r->zones[i].zone));
		else
			fprintf(out, "null,");
		json_sum(out, &r->zones[i].sum, r->page_size);
		fprintf(out, "}");
	}
	fprintf(out, "],\"groups\":[");
	for (i = 0; i < r->sys.st.nr_groups; i++) {
		const struct za_group *g = &r->sys.st.groups[i];

		fprintf(out, "%s{\"group\":%d,\"node\":%d,\"dynamic\":%s,\"name\":", i ? "," : "",
			g->id, g->nid, g->dynamic ? "true" : "false");
		json_string(out, g->name, sizeof(g->name));
		fprintf(out, ",");
		json_sum(out, &r->groups[i], r->page_size);
		fprintf(out, "}");
	}
	fprintf(out, "],\"devices\":[");
	for (i = 0; i < r->sys.nr_devs; i++) {
		const struct zi_device *d = &r->sys.devs[i];

		fprintf(out, "%s{\"device\":", i ? "," : "");
		json_string(out, d->name, sizeof(d->name));
		fprintf(out, ",\"kind\":\"%s\",\"node\":%d,\"group\":", dev_kind_name(d->kind),
			d->nid);
		if (d->group >= 0)
			fprintf(out, "%d", d->group);
		else
			fprintf(out, "null");
		fprintf(out, ",");
		json_sum(out, &r->devs[i], r->page_size);
		fprintf(out, "}");
	}
	fprintf(out, "],\"total\":{");
	json_sum(out, &r->total, r->page_size);
	fprintf(out, "}}\n");
}
