// SPDX-License-Identifier: GPL-2.0
/*
 * The pure sysfs parsers of user/lib/sysfs.c with arbitrary file content. The
 * first byte picks the parser, the rest is the content (the buffer handed
 * over ends exactly where the input ends: no NUL, so any read past it is
 * caught):
 *
 *   'b' block_size_bytes      sysfs_parse_block_size
 *   'i' phys_device & co      sysfs_parse_int
 *   'w' auto_online_blocks    sysfs_parse_word (2nd byte: output size)
 *   's' 'z' 'r' 'p'           sysfs_parse_block_attr: state, valid_zones,
 *                             removable, phys_device ('x': an unknown one)
 *   'm' 'n'                   sysfs_parse_block_name / _node_name
 *   anything else: the byte modulo the list above.
 *
 * Checked against the contracts in sysfs.h: return codes, the output is
 * "unknown" after an error, exactly one block field changes, numbers and
 * names round-trip.
 */
#include <inttypes.h>

#include "fuzz_common.h"
#include "model.h"
#include "sysfs.h"

static const char sels[] = "biwszrpxmn";

/* Content without one trailing newline, as the parsers see it. */
static size_t chomped(const uint8_t *p, size_t n)
{
	return n && p[n - 1] == '\n' ? n - 1 : n;
}

static bool all_digits(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return n > 0;
}

static void block_size(const uint8_t *p, size_t n)
{
	uint64_t v = 12345;
	int rc = sysfs_parse_block_size((const char *)p, n, &v);
	char fmt[24];
	size_t c = chomped(p, n), skip = 0, i;

	if (rc) {
		FZ_CHECK(rc == -EINVAL || rc == -ERANGE);
		FZ_CHECK(v == 0);
		return;
	}
	FZ_CHECK(v != 0);
	/* it is the hex number written, leading zeros and 0x aside */
	if (c >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		skip = 2;
	while (skip < c && p[skip] == '0')
		skip++;
	snprintf(fmt, sizeof(fmt), "%" PRIx64, v);
	FZ_CHECK(c - skip == strlen(fmt));
	for (i = 0; i < c - skip; i++)
		FZ_CHECK((p[skip + i] | 0x20) == fmt[i]);
}

static void parse_int(const uint8_t *p, size_t n)
{
	int v = 7;
	int rc = sysfs_parse_int((const char *)p, n, &v);
	size_t c = chomped(p, n), skip = 0;
	char fmt[16];

	if (rc) {
		FZ_CHECK(rc == -EINVAL || rc == -ERANGE);
		FZ_CHECK(v == -1);
		/* (-ERANGE also for "99999999999x": the overflow is seen first) */
		return;
	}
	FZ_CHECK(v >= 0 && all_digits(p, c));
	while (skip + 1 < c && p[skip] == '0')
		skip++;
	snprintf(fmt, sizeof(fmt), "%d", v);
	FZ_CHECK(c - skip == strlen(fmt) && !memcmp(p + skip, fmt, c - skip));
}

static void parse_word(const uint8_t *p, size_t n)
{
	char out[80];
	size_t outlen, c, i;
	int rc;

	if (!n)
		return;
	outlen = p[0] % (sizeof(out) + 1);
	p++, n--;
	memset(out, 'Z', sizeof(out));
	rc = sysfs_parse_word((const char *)p, n, out, outlen);
	/* nothing written beyond the output */
	for (i = outlen; i < sizeof(out); i++)
		FZ_CHECK(out[i] == 'Z');
	if (!outlen) {
		FZ_CHECK(rc == -E2BIG);
		return;
	}
	c = chomped(p, n);
	if (rc) {
		FZ_CHECK(rc == -EINVAL || rc == -E2BIG);
		FZ_CHECK(out[0] == '\0');
		return;
	}
	FZ_CHECK(strlen(out) == c && c > 0 && !memcmp(out, p, c));
	for (i = 0; i < c; i++)
		FZ_CHECK(out[i] > ' ' && out[i] < 0x7f);
}

static void block_attr(int a, const uint8_t *p, size_t n)
{
	struct memhp_block b, before;
	struct memhp_model m;
	int rc;

	model_init(&m);
	memset(&b, 0, sizeof(b));
	b.id = 42;
	b.state = MEMHP_BLOCK_GOING_OFFLINE;
	b.node = 3;
	b.removable = 5;
	b.phys_device = 9;
	FZ_CHECK(!model_set_zones(&m, &b, "Sentinel", 8));
	b.ev = 4;
	b.online_type = 2;
	before = b;
	rc = sysfs_parse_block_attr(&m, &b, (enum sysfs_block_attr)a, (const char *)p, n);
	FZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ERANGE || rc == -E2BIG);
	FZ_CHECK(strlen(model_zones(&m, &b)) < MEMHP_ZONES_LEN);
	/* exactly one field may change */
	switch (a) {
	case SYSFS_ATTR_STATE:
		before.state = b.state;
		FZ_CHECK(rc || b.state != MEMHP_BLOCK_UNKNOWN);
		FZ_CHECK(!rc || b.state == MEMHP_BLOCK_UNKNOWN);
		break;
	case SYSFS_ATTR_VALID_ZONES:
		before.zones = b.zones;
		if (!rc)
			FZ_CHECK(strlen(model_zones(&m, &b)) == chomped(p, n));
		break;
	case SYSFS_ATTR_REMOVABLE:
		FZ_CHECK(rc ? b.removable == -1 :
			      (b.removable == 0 || b.removable == 1));
		before.removable = b.removable;
		break;
	case SYSFS_ATTR_PHYS_DEVICE:
		FZ_CHECK(rc ? b.phys_device == -1 : b.phys_device >= 0);
		before.phys_device = b.phys_device;
		break;
	default:
		FZ_CHECK(rc == -EINVAL);
		break;
	}
	FZ_CHECK(!memcmp(&before, &b, sizeof(b)));
	FZ_CHECK(sysfs_block_attr_name((enum sysfs_block_attr)a) != NULL);
	model_free(&m);
}

static void names(bool node, const uint8_t *p, size_t n)
{
	char *name = malloc(n + 1), fmt[40];
	uint64_t id = 77;
	int nid = 77, rc;

	FZ_CHECK(name);
	memcpy(name, p, n);
	name[n] = '\0';
	if (node) {
		rc = sysfs_parse_node_name(name, &nid);
		FZ_CHECK(rc == 1 || rc == 0 || rc == -EINVAL || rc == -ERANGE);
		FZ_CHECK(rc == 1 ? nid >= 0 : nid == -1);
		if (rc == 1) {
			snprintf(fmt, sizeof(fmt), "node%d", nid);
			FZ_CHECK(!strcmp(fmt, name));
		}
		FZ_CHECK(rc != 0 || strncmp(name, "node", 4));
	} else {
		rc = sysfs_parse_block_name(name, &id);
		FZ_CHECK(rc == 1 || rc == 0 || rc == -EINVAL || rc == -ERANGE);
		if (rc == 1) {
			snprintf(fmt, sizeof(fmt), "memory%" PRIu64, id);
			FZ_CHECK(!strcmp(fmt, name));
		}
		FZ_CHECK(rc != 0 || strncmp(name, "memory", 6));
	}
	free(name);
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
	case 'b':
		block_size(data, size);
		break;
	case 'i':
		parse_int(data, size);
		break;
	case 'w':
		parse_word(data, size);
		break;
	case 's':
		block_attr(SYSFS_ATTR_STATE, data, size);
		break;
	case 'z':
		block_attr(SYSFS_ATTR_VALID_ZONES, data, size);
		break;
	case 'r':
		block_attr(SYSFS_ATTR_REMOVABLE, data, size);
		break;
	case 'p':
		block_attr(SYSFS_ATTR_PHYS_DEVICE, data, size);
		break;
	case 'x':
		block_attr(SYSFS_ATTR_MAX, data, size);
		break;
	case 'm':
		names(false, data, size);
		break;
	case 'n':
		names(true, data, size);
		break;
	}
	return 0;
}
