// SPDX-License-Identifier: GPL-2.0
/*
 * The text parsers of user/lib/proc_zoneinfo.c, proc_iomem.c and
 * fw_memmap.c with arbitrary content. The first byte picks one, the rest is
 * the content (a buffer that ends exactly where the input does):
 *
 *   'z' /proc/zoneinfo       zoneinfo_parse + zoneinfo_find
 *   'i' /proc/iomem          iomem_parse
 *   'u' a sysfs number       zi_parse_u64 (NUL-terminated copy)
 *   'b' a Y/N parameter      zi_parse_bool, za_*_from_name
 *   'm' the firmware map     memmap_mark_boot over entries made of the
 *                            bytes (16 per entry, then 16 per late range)
 *   anything else: the byte modulo the list.
 *
 * Checked: the results are what zoneinfo.h describes (zones in range,
 * known names mapped, no zone twice, resources nested under earlier ones,
 * start <= end, names terminated, numbers round-trip).
 */
#include <inttypes.h>
#include <strings.h>

#include "fuzz_common.h"
#include "zonealgo.h"
#include "zoneinfo.h"

static const char sels[] = "ziubm";

static void zoneinfo(const uint8_t *p, size_t n)
{
	struct zoneinfo zi;
	size_t i, j;
	int rc = zoneinfo_parse((const char *)p, n, &zi);

	FZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
	FZ_CHECK(rc != -EINVAL || zi.nr == 0);
	FZ_CHECK(rc != 0 || zi.nr > 0);
	FZ_CHECK(zi.nr <= zi.cap);
	FZ_CHECK(memchr(zi.first, 0, sizeof(zi.first)));
	FZ_CHECK(!zi.malformed || zi.first[0]);
	for (i = 0; i < zi.nr; i++) {
		const struct zi_zone *z = &zi.zones[i];

		FZ_CHECK(z->nid >= 0 && z->nid < ZA_MAX_NODES);
		FZ_CHECK(memchr(z->name, 0, sizeof(z->name)));
		FZ_CHECK(z->zid == za_zone_from_name(z->name));
		if (z->zid >= 0) {
			FZ_CHECK(zoneinfo_find(&zi, z->nid, z->zid) == z);
			for (j = 0; j < i; j++)
				FZ_CHECK(zi.zones[j].nid != z->nid ||
					 zi.zones[j].zid != z->zid);
		}
	}
	FZ_CHECK(!zoneinfo_find(&zi, 0, -1));
	zoneinfo_free(&zi);
	FZ_CHECK(!zi.zones && !zi.nr);
}

static void iomem(const uint8_t *p, size_t n)
{
	struct zi_iomem io;
	size_t i;
	int rc = iomem_parse((const char *)p, n, &io);

	FZ_CHECK(rc == 0 || rc == -ENOMEM);
	FZ_CHECK(io.nr <= io.cap);
	for (i = 0; i < io.nr; i++) {
		const struct zi_resource *r = &io.res[i];

		FZ_CHECK(r->start <= r->end);
		FZ_CHECK(r->depth >= 0 && r->depth < 32);
		FZ_CHECK(memchr(r->name, 0, sizeof(r->name)));
		FZ_CHECK(r->parent >= -1 && r->parent < (int)i);
		if (r->parent >= 0)
			FZ_CHECK(io.res[r->parent].depth < r->depth);
	}
	iomem_free(&io);
}

static char *cstr(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	FZ_CHECK(s);
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static void parse_u64(const uint8_t *p, size_t n)
{
	char *s = cstr(p, n), fmt[32];
	uint64_t v = 99;
	int rc = zi_parse_u64(s, &v);
	const char *d = s;

	FZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	if (rc) {
		FZ_CHECK(v == 0);
		free(s);
		return;
	}
	/* round trip, leading zeros aside */
	if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
		d += 2;
		while (d[0] == '0' && d[1])
			d++;
		snprintf(fmt, sizeof(fmt), "%" PRIx64, v);
		FZ_CHECK(strlen(d) == strlen(fmt) && !strncasecmp(d, fmt, strlen(d)));
	} else {
		while (d[0] == '0' && d[1])
			d++;
		snprintf(fmt, sizeof(fmt), "%" PRIu64, v);
		FZ_CHECK(!strcmp(d, fmt));
	}
	free(s);
}

static void names(const uint8_t *p, size_t n)
{
	char *s = cstr(p, n);
	int b = zi_parse_bool(s), z, t, pol;

	FZ_CHECK(b >= -1 && b <= 1);
	z = za_zone_from_name(s);
	if (z >= 0)
		FZ_CHECK(!strcmp(za_zone_name(z), s));
	t = za_online_type_from_name(s);
	if (t >= 0)
		FZ_CHECK(za_online_type_from_name(za_online_type_name(t)) == t);
	pol = za_policy_from_name(s);
	if (pol >= 0)
		FZ_CHECK(!strcmp(za_policy_name((enum za_policy)pol), s));
	free(s);
}

static void memmap(const uint8_t *p, size_t n)
{
	struct fz_in in = { p, n };
	struct zi_memmap mm = { 0 };
	uint64_t late[16];
	size_t nl, i;

	nl = fz_u8(&in) % 9;
	for (i = 0; i < 2 * nl; i++)
		late[i] = fz_u64(&in);
	mm.nr = in.n / 16;
	if (mm.nr > 64)
		mm.nr = 64;
	mm.cap = mm.nr;
	mm.e = calloc(mm.nr ? mm.nr : 1, sizeof(*mm.e));
	FZ_CHECK(mm.e);
	for (i = 0; i < mm.nr; i++) {
		mm.e[i].index = (unsigned int)i;
		mm.e[i].start = fz_u64(&in);
		mm.e[i].end = fz_u64(&in);
		snprintf(mm.e[i].type, sizeof(mm.e[i].type), "%s",
			 i % 3 ? "System RAM" : "Reserved");
	}
	memmap_mark_boot(&mm, late, nl);
	/* the boot entries are a prefix */
	for (i = 1; i < mm.nr; i++)
		FZ_CHECK(mm.e[i - 1].boot || !mm.e[i].boot);
	memmap_free(&mm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s;
	char sel;

	if (!size)
		return 0;
	s = strchr(sels, data[0]);
	sel = s && data[0] ? *s : sels[data[0] % (sizeof(sels) - 1)];
	data++, size--;
	switch (sel) {
	case 'z':
		zoneinfo(data, size);
		break;
	case 'i':
		iomem(data, size);
		break;
	case 'u':
		parse_u64(data, size);
		break;
	case 'b':
		names(data, size);
		break;
	case 'm':
		memmap(data, size);
		break;
	}
	return 0;
}
