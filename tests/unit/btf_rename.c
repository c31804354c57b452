// SPDX-License-Identifier: GPL-2.0
/*
 * btf-rename IN OUT STRUCT MEMBER: writes IN's BTF (a vmlinux ELF or raw
 * BTF) to OUT as raw BTF with STRUCT.MEMBER renamed, i.e. a kernel where
 * that field is gone. The CLI tests load memhp against it (MEMHP_TEST_BTF)
 * to see one probe degrade while its neighbours in the same object load.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

int main(int argc, char **argv)
{
	const struct btf_type *t;
	struct btf_member *m;
	struct btf *b;
	const void *raw;
	__u32 size;
	int id, off, i, hit = 0;
	FILE *f;

	if (argc != 5) {
		fprintf(stderr, "usage: btf-rename IN OUT STRUCT MEMBER\n");
		return 2;
	}
	b = btf__parse(argv[1], NULL);
	if (!b) {
		fprintf(stderr, "btf-rename: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	id = btf__find_by_name_kind(b, argv[3], BTF_KIND_STRUCT);
	off = btf__add_str(b, "memhp_test_renamed"); /* makes b writable */
	if (id < 0 || off < 0) {
		fprintf(stderr, "btf-rename: no struct %s\n", argv[3]);
		return 1;
	}
	t = btf__type_by_id(b, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++) {
		if (!strcmp(btf__name_by_offset(b, m[i].name_off), argv[4])) {
			m[i].name_off = off;
			hit = 1;
		}
	}
	if (!hit) {
		fprintf(stderr, "btf-rename: no member %s in struct %s\n", argv[4], argv[3]);
		return 1;
	}
	raw = btf__raw_data(b, &size);
	f = fopen(argv[2], "wb");
	if (!raw || !f || fwrite(raw, 1, size, f) != size || fclose(f)) {
		fprintf(stderr, "btf-rename: cannot write %s\n", argv[2]);
		return 1;
	}
	btf__free(b);
	return 0;
}
