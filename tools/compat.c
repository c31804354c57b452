// SPDX-License-Identifier: GPL-2.0
/*
 * `make compat`: does every probe of memhp load on every kernel at hand?
 *
 * For each kernel BTF ($MEMHP_CACHE/kernels/NAME/vmlinux, fetched by
 * `tools/deps.sh compat`, and the host's /sys/kernel/btf/vmlinux) and each
 * probe of the loader's tables (user/live/loader.c: which program belongs to
 * which probe is known there only), the probe's object is opened with
 * btf_custom_path = that kernel's BTF, rodata set as the loader would for
 * that kernel, only the probe's programs enabled, and loaded:
 * - kprobe/kretprobe programs: CO-RE-relocated against that kernel, then
 *   verified by the host's verifier;
 * - fentry/fexit programs cannot load here (the host forbids trampolines):
 *   the same relocated body is loaded as BPF_PROG_TYPE_KPROBE instead (see
 *   syscall() below), which memhp's tracing programs pass because they read
 *   their arguments from the context and everything else by probe reads
 *   (rodata no_func_arg: the pointer arguments too, as on kernels before
 *   5.17; the inlined bpf_get_func_arg() path they take otherwise has no
 *   CO-RE relocation, and the lab loads it on the real kernels).
 * Module types (cover.bpf.c reads hv_balloon's and virtio_mem's structs)
 * need the modules' split BTF: libbpf ignores module BTF when
 * btf_custom_path is set, so vmlinux and the modules' BTF are merged into
 * one file first.
 *
 * A probe is claimed for a kernel when its target function is in that
 * kernel's vmlinux BTF (memhp's targets are all vmlinux functions; module
 * state is read, not hooked). Exit 1 if a claimed probe fails, 2 if
 * nothing could be checked.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "loader.h"

#define MAX_KERNELS 8
#define CELL 40

static const char *const expected[] = { "6.1", "6.12", "6.12.107" }; /* tools/deps.sh */
static const char *const modules[] = { "hv/hv_balloon", "virtio/virtio_mem",
				       "virtio/virtio_balloon" };

struct kernel {
	char label[64];
	char vmlinux[512];
	char btf_path[512]; /* what libbpf relocates against: merged or vmlinux */
	char modules[128];  /* module BTF merged in, or why none */
	char skip[256];	    /* not checked, and why */
	bool merged;
	struct btf *btf; /* its vmlinux BTF: targets claimed, prototypes */
	struct loader_kconf kc;
};

/*
 * Loading a fentry/fexit program as a kprobe one: libbpf has no way to
 * retype a program whose section names a BTF attach target (it would
 * still send attach_btf_id, which the kernel refuses for kprobes), so the
 * BPF_PROG_LOAD that libbpf makes is rewritten on its way to the kernel.
 * Only while as_kprobe is set, and only for tracing programs.
 */
static bool as_kprobe;
static long (*real_syscall)(long nr, ...);

long syscall(long nr, ...)
{
	va_list ap;
	long a[6];
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == __NR_bpf && as_kprobe && a[0] == BPF_PROG_LOAD) {
		union bpf_attr *attr = (union bpf_attr *)a[1];

		if (attr->prog_type == BPF_PROG_TYPE_TRACING) {
			attr->prog_type = BPF_PROG_TYPE_KPROBE;
			attr->expected_attach_type = 0;
			attr->attach_btf_id = 0;
			attr->attach_btf_obj_fd = 0;
		}
	}
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* Type ids of a type copied from split BTF into the merged one. */
static void remap(struct btf_type *t, __u32 base_cnt, __u32 first)
{
#define R(x) ((x) = (x) >= base_cnt ? (x) - base_cnt + first : (x))
	struct btf_member *m;
	struct btf_param *p;
	struct btf_var_secinfo *v;
	int i, n = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC:
	case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: case BTF_KIND_TYPE_TAG:
		R(t->type);
		break;
	case BTF_KIND_ARRAY:
		R(btf_array(t)->type);
		R(btf_array(t)->index_type);
		break;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		for (i = 0, m = btf_members(t); i < n; i++)
			R(m[i].type);
		break;
	case BTF_KIND_FUNC_PROTO:
		R(t->type);
		for (i = 0, p = btf_params(t); i < n; i++)
			R(p[i].type);
		break;
	case BTF_KIND_DATASEC:
		for (i = 0, v = btf_var_secinfos(t); i < n; i++)
			R(v[i].type);
		break;
	default:
		break;
	}
#undef R
}

/* Appends module @path's split BTF (over @base) to @merged. */
static int merge_module(struct btf *merged, struct btf *base, const char *path)
{
	__u32 base_cnt = btf__type_cnt(base), id, first = btf__type_cnt(merged);
	struct btf *mod = btf__parse_split(path, base);

	if (!mod)
		return -errno;
	for (id = base_cnt; id < btf__type_cnt(mod); id++) {
		int nid = btf__add_type(merged, mod, btf__type_by_id(mod, id));

		if (nid < 0) {
			btf__free(mod);
			return nid;
		}
		remap((struct btf_type *)btf__type_by_id(merged, nid), base_cnt, first);
	}
	btf__free(mod);
	return 0;
}

/* @path, or its .xz decompressed into a temporary file (@tmp, unlink it). */
static const char *module_file(const char *path, char *tmp, size_t len)
{
	char cmd[1200];
	int fd;

	tmp[0] = '\0';
	if (!access(path, R_OK))
		return path;
	snprintf(cmd, sizeof(cmd), "%s.xz", path);
	if (access(cmd, R_OK))
		return NULL;
	snprintf(tmp, len, "/tmp/memhp-compat-ko.XXXXXX");
	fd = mkstemp(tmp);
	if (fd < 0)
		return NULL;
	close(fd);
	snprintf(cmd, sizeof(cmd), "xz -dc '%s.xz' > '%s'", path, tmp);
	if (system(cmd)) {
		unlink(tmp);
		tmp[0] = '\0';
		return NULL;
	}
	return tmp;
}

/* vmlinux + the kernel's balloon drivers' module BTF, in one file. */
static void merge_kernel(struct kernel *k, const char *moddir)
{
	struct btf *base = btf__parse(k->vmlinux, NULL), *merged = btf__parse(k->vmlinux, NULL);
	char path[700], tmp[64];
	const void *raw;
	size_t i, off = 0;
	__u32 size;
	FILE *f;
	int fd;

	snprintf(k->btf_path, sizeof(k->btf_path), "%s", k->vmlinux);
	snprintf(k->modules, sizeof(k->modules), "no module BTF");
	for (i = 0; base && merged && i < sizeof(modules) / sizeof(modules[0]); i++) {
		const char *file;

		if (moddir)
			snprintf(path, sizeof(path), "%s/kernel/drivers/%s.ko", moddir, modules[i]);
		else /* the host: the modules it has loaded */
			snprintf(path, sizeof(path), "/sys/kernel/btf/%s", strrchr(modules[i], '/') + 1);
		file = module_file(path, tmp, sizeof(tmp));
		if (file && !merge_module(merged, base, file))
			off += snprintf(k->modules + off, sizeof(k->modules) - off, "%s%s",
					off ? " " : "+ ", strrchr(modules[i], '/') + 1);
		if (tmp[0])
			unlink(tmp);
	}
	raw = off ? btf__raw_data(merged, &size) : NULL;
	snprintf(path, sizeof(path), "/tmp/memhp-compat-btf.XXXXXX");
	if (raw && (fd = mkstemp(path)) >= 0) {
		f = fdopen(fd, "w");
		if (f && fwrite(raw, 1, size, f) == size && !fclose(f)) {
			snprintf(k->btf_path, sizeof(k->btf_path), "%s", path);
			k->merged = true;
		} else {
			snprintf(k->modules, sizeof(k->modules), "no module BTF (write failed)");
			unlink(path);
		}
	}
	btf__free(base);
	btf__free(merged);
}

/* Kernels: the expected cache ones (missing: skipped, with why), others found, the host. */
static size_t find_kernels(const char *cache, struct kernel *ks)
{
	char dir[512], rel[128];
	struct utsname u;
	struct dirent *d;
	size_t n = 0, i;
	DIR *dp;
	FILE *f;

	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		snprintf(ks[n++].label, sizeof(ks[0].label), "%s", expected[i]);
	snprintf(dir, sizeof(dir), "%s/kernels", cache);
	dp = opendir(dir);
	while (dp && (d = readdir(dp)) && n < MAX_KERNELS - 1) {
		if (d->d_name[0] == '.')
			continue;
		for (i = 0; i < n && strcmp(ks[i].label, d->d_name); i++)
			;
		if (i == n)
			snprintf(ks[n++].label, sizeof(ks[0].label), "%s", d->d_name);
	}
	if (dp)
		closedir(dp);
	for (i = 0; i < n; i++) {
		struct kernel *k = &ks[i];

		snprintf(k->vmlinux, sizeof(k->vmlinux), "%s/%s/vmlinux", dir, k->label);
		if (access(k->vmlinux, R_OK)) {
			snprintf(k->skip, sizeof(k->skip), "%s: %s (run tools/deps.sh compat)",
				 k->vmlinux, strerror(errno));
			continue;
		}
		snprintf(rel, sizeof(rel), "%s/%s/release", dir, k->label);
		f = fopen(rel, "r");
		rel[0] = '\0';
		if (f && fgets(rel, sizeof(rel), f))
			rel[strcspn(rel, "\n")] = '\0';
		if (f)
			fclose(f);
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%s/root/lib/modules/%s",
			 k->label, rel);
		merge_kernel(k, rel[0] ? dir : NULL);
		snprintf(dir, sizeof(dir), "%s/kernels", cache);
	}
	uname(&u);
	snprintf(ks[n].label, sizeof(ks[n].label), "host-%s", u.release);
	snprintf(ks[n].vmlinux, sizeof(ks[n].vmlinux), "/sys/kernel/btf/vmlinux");
	if (access(ks[n].vmlinux, R_OK))
		snprintf(ks[n].skip, sizeof(ks[n].skip), "no /sys/kernel/btf/vmlinux");
	else
		merge_kernel(&ks[n], NULL); /* the host's loaded modules, if any */
	return n + 1;
}

/* "struct hv_dynmem_device___memhp.x" -> "hv_dynmem_device.x" (the kernel's names) */
static void strip_flavour(char *s)
{
	char *p;

	while ((p = strstr(s, "struct ")) || (p = strstr(s, "union ")))
		memmove(p, strchr(p, ' ') + 1, strlen(strchr(p, ' ') + 1) + 1);
	while ((p = strstr(s, "___"))) {
		size_t n = 3;

		while (p[n] && p[n] != '.' && p[n] != ',' && p[n] != ' ')
			n++;
		memmove(p, p + n, strlen(p + n) + 1);
	}
}

/* "memory_block.online_type" from "CO-RE relocation failed: struct memory_block.online_type" */
static void short_reason(const char *why, char *cell, size_t len)
{
	const char *c = "CO-RE relocation failed: ", *v = "verifier rejected: ";

	if (!strncmp(why, c, strlen(c))) {
		why += strlen(c);
		if (!strncmp(why, "struct ", 7) || !strncmp(why, "union ", 6))
			why = strchr(why, ' ') + 1;
		snprintf(cell, len, "reloc: %s", why);
		strip_flavour(cell);
	} else if (!strncmp(why, v, strlen(v))) {
		snprintf(cell, len, "verifier: %s", why + strlen(v));
	} else {
		snprintf(cell, len, "verifier: %s", why);
	}
}

/*
 * The relocations libbpf poisoned (no such type/field in that kernel),
 * ", "-separated: harmless where the code is dead (guarded by a field
 * check), which the verifier proves for what it reaches.
 */
static size_t poisoned(const char *log, char *out, size_t len)
{
	const char *p = log, *spec = NULL;
	size_t n = 0, off = 0;

	out[0] = '\0';
	while (*p) {
		size_t l = strcspn(p, "\n");
		const char *r = strstr(p, ": relo #");

		if (r && r < p + l) {
			const char *c = strchr(r + 8, ':');

			if (c && c < p + l && !strncmp(c, ": <", 3))
				spec = c + 2;
			else if (c && c < p + l && strstr(c, "w/ invalid insn") &&
				 strstr(c, "w/ invalid insn") < p + l && spec) {
				const char *b = strchr(spec, ']'), *e = strstr(spec, " (");

				if (b && e && b < e && off < len)
					off += snprintf(out + off, len - off, "%s%.*s", n ? ", " : "",
							(int)(e - b - 2), b + 2);
				strip_flavour(out);
				n++;
			}
		}
		p += l + (p[l] == '\n');
	}
	return n;
}

/*
 * One probe, one flavour, one kernel: "ok", "ok(reloc)" (relocated, not
 * verified), or why not. -1: the probe has no program in this flavour.
 */
static int check_one(size_t idx, bool kprobe, const struct kernel *k,
		     const struct loader_kconf *kc, char *cell, size_t len)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = k->btf_path);
	struct loader_trial *t;
	char prog[64], why[LOADER_WHY_LEN];
	bool module_state = loader_probe_module_state(idx);
	const char *log;
	int err;

	t = loader_trial_open(idx, kprobe, kc, &opts);
	if (!t && errno == ENOENT)
		return -1;
	if (!t) {
		snprintf(cell, len, "open: %s", strerror(errno));
		return 1;
	}
	loader_log_start(true);
	as_kprobe = !kprobe;
	err = bpf_object__load(loader_trial_obj(t));
	as_kprobe = false;
	log = loader_log_stop();
	loader_trial_close(t);
	if (!err && module_state && poisoned(log, why, sizeof(why))) {
		/*
		 * Module state is read only while its driver is loaded (a
		 * weak ksym): not on this host, so the verifier skipped that
		 * code. A relocation libbpf poisoned there would fail then.
		 */
		if (!k->merged) { /* nothing to relocate against: not a failure */
			snprintf(cell, len, "unchecked: no module BTF");
			return 0;
		}
		snprintf(cell, len, "reloc: %s", why);
		return 1;
	}
	if (!err) {
		snprintf(cell, len, "ok");
		return 0;
	}
	loader_log_reason(log, prog, sizeof(prog), why, sizeof(why));
	if (!kprobe && err == -EPERM && !strstr(log, "CO-RE relocation failed") &&
	    !strstr(log, "failed to relocate")) {
		snprintf(cell, len, "ok(reloc)"); /* the verifier would not run it */
		return 0;
	}
	short_reason(why[0] ? why : strerror(-err), cell, len);
	return 1;
}

int main(int argc, char **argv)
{
	const char *cache = getenv("MEMHP_CACHE");
	struct kernel ks[MAX_KERNELS + 1];
	struct row {
		char name[64];
		char cell[MAX_KERNELS + 1][CELL * 2];
		bool used;
	} *rows;
	size_t width[MAX_KERNELS + 1];
	size_t nk, np, i, j, nrows = 0, checked = 0, failed = 0;
	int flav;

	real_syscall = dlsym(RTLD_NEXT, "syscall");
	if (!real_syscall) {
		fprintf(stderr, "compat: no libc syscall(): %s\n", dlerror());
		return 2;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		bool help = argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"));

		fprintf(help ? stdout : stderr,
			"Usage: compat [CACHE_DIR]\n"
			"Checks every memhp probe against the BTF of every kernel in\n"
			"CACHE_DIR/kernels/*/vmlinux (default $MEMHP_CACHE, else .cache; fetch\n"
			"them with tools/deps.sh compat) and of the running kernel.\n"
			"Exit status: 0 all claimed probes load, 1 some do not, 2 nothing checked\n"
			"or bad usage. See docs/compat.md.\n");
		return help ? 0 : 2;
	}
	if (argc == 2)
		cache = argv[1];
	if (!cache || !*cache)
		cache = ".cache";
	memset(ks, 0, sizeof(ks));
	nk = find_kernels(cache, ks);
	for (j = 0; j < nk; j++) {
		if (ks[j].skip[0])
			continue;
		ks[j].btf = btf__parse(ks[j].vmlinux, NULL);
		if (!ks[j].btf)
			snprintf(ks[j].skip, sizeof(ks[j].skip), "%s: no BTF: %s", ks[j].vmlinux,
				 strerror(errno));
		else
			loader_kconf_from_btf(ks[j].btf, &ks[j].kc);
		ks[j].kc.no_func_arg = true; /* see FUNC_ARG in bpf/common.bpf.h */
	}
	np = loader_nr_probes();
	printf("memhp compat: %zu probes x %zu kernels (fentry/fexit bodies verified as kprobe "
	       "programs: the host forbids trampolines)\n",
	       np, nk);
	for (j = 0; j < nk; j++)
		printf("  %-22s %s%s\n", ks[j].label, ks[j].skip[0] ? "skipped: " : "",
		       ks[j].skip[0] ? ks[j].skip : ks[j].modules);
	/* Every cell first, then columns as wide as their widest cell. */
	rows = calloc(np * 2, sizeof(*rows));
	if (!rows) {
		fprintf(stderr, "compat: out of memory\n");
		return 2;
	}
	for (j = 0; j < nk; j++)
		width[j] = strlen(ks[j].label);
	for (i = 0; i < np; i++) {
		for (flav = 0; flav < 2; flav++) {
			struct row *rw = &rows[nrows];

			snprintf(rw->name, sizeof(rw->name), "%s (%s)", loader_probe_name(i),
				 flav ? "kprobe" : "fentry");
			for (j = 0; j < nk; j++) {
				int r = 0;

				if (ks[j].skip[0])
					continue;
				snprintf(rw->cell[j], sizeof(rw->cell[j]), "n/a");
				if (loader_probe_target(i, ks[j].btf))
					r = check_one(i, flav, &ks[j], &ks[j].kc, rw->cell[j],
						      sizeof(rw->cell[j]));
				if (r < 0) { /* no program in this flavour: no row, even
					      * if an earlier kernel had no target (n/a) */
					rw->used = false;
					break;
				}
				rw->used = true;
				checked += strcmp(rw->cell[j], "n/a") != 0;
				failed += r > 0;
				if (strlen(rw->cell[j]) > width[j])
					width[j] = strlen(rw->cell[j]);
			}
			nrows += rw->used;
		}
	}
	printf("\n%-36s", "probe (flavour)");
	for (j = 0; j < nk; j++)
		if (!ks[j].skip[0])
			printf(" %-*s", (int)width[j], ks[j].label);
	printf("\n");
	for (i = 0; i < nrows; i++) {
		printf("%-36s", rows[i].name);
		for (j = 0; j < nk; j++)
			if (!ks[j].skip[0])
				printf(" %-*s", (int)width[j], rows[i].cell[j]);
		printf("\n");
	}
	free(rows);
	for (j = 0; j < nk; j++) {
		if (ks[j].merged)
			unlink(ks[j].btf_path);
		btf__free(ks[j].btf);
	}
	printf("\n%zu cells checked, %zu failed%s\n", checked, failed,
	       failed ? ": a probe memhp claims for a kernel does not load there" : "");
	if (!checked)
		return 2;
	return failed ? 1 : 0;
}
