// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/page_owner records -> pgowner_parse() and
 * pgowner_lookup_with() (user/lib/pgowner.c).
 *
 * The input is one read's worth of the file: parsed as it is, then served
 * by a fake read_page_owner() for every pfn the lookup asks (cut to the
 * reader's buffer). Checked: every string field is terminated inside its
 * array, a lookup's answer is a known status, a found owner covers the
 * pfn asked, the printers take whatever was parsed.
 */
#include "fuzz_common.h"
#include "pgowner.h"

struct input {
	const uint8_t *p;
	size_t n;
	unsigned int reads;
};

static ssize_t serve(void *ctx, char *buf, size_t len, uint64_t pfn)
{
	struct input *in = ctx;
	size_t n = in->n < len ? in->n : len;

	(void)pfn;
	in->reads++;
	memcpy(buf, in->p, n);
	return (ssize_t)n;
}

static void check_rec(const struct pgowner_rec *r)
{
	FZ_CHECK(memchr(r->comm, 0, sizeof(r->comm)));
	FZ_CHECK(memchr(r->caller, 0, sizeof(r->caller)));
	FZ_CHECK(memchr(r->gfp_names, 0, sizeof(r->gfp_names)));
	FZ_CHECK(r->order < 64);
	pgowner_print_text(fz_devnull(), r);
	pgowner_print_json(fz_devnull(), r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size, 0 };
	struct pgowner_note note;
	struct pgowner_rec r;
	uint64_t pfns[3] = { 0, 1, 0x108001 };
	enum pgowner_status st;
	size_t i;

	if (!pgowner_parse((const char *)data, size, &r)) {
		check_rec(&r);
		pfns[0] = r.pfn;
		pfns[1] = r.pfn + 1;
	}
	for (i = 0; i < 3; i++) {
		in.reads = 0;
		st = pgowner_lookup_with(serve, &in, pfns[i], &r);
		FZ_CHECK((unsigned int)st < PGOWNER_NR);
		FZ_CHECK(in.reads <= 11);
		if (st == PGOWNER_FOUND) {
			FZ_CHECK(r.pfn <= pfns[i] && pfns[i] - r.pfn < (1ULL << r.order));
			check_rec(&r);
		}
		note.pfn = pfns[i];
		note.st = st;
		note.rec = r;
		pgowner_note_json(fz_devnull(), &note, pfns[i]);
		pgowner_note_text(fz_devnull(), &note, pfns[i]);
	}
	return 0;
}
