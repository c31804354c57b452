// SPDX-License-Identifier: GPL-2.0
/*
 * kpscan: bench item 6 (`make bench`, bench/run.py). How fast can the pages
 * of online memory be read and classified from /proc/kpageflags and
 * /proc/kpagecount: memhp's chunked reader (lib/kpage.c, 64 Ki pfns per
 * pread, what `memhp readiness` does) side by side with straightforward
 * readers: one pread per memory block, and one pread per pfn. Every method
 * classifies every page with kpage_classify(); the per-kind counts of the
 * last repetition are printed for each method (a live system changes
 * between scans: bench/run.py compares them within a tolerance).
 *
 *   kpscan [--max-gib G] [--reps N]
 *
 * Pins itself to one CPU. Prints one JSON object: the bytes scanned and, per
 * method, the GiB/s of each repetition, measured interleaved.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kpage.h"
#include "zoneinfo.h"

struct range {
	uint64_t start, nr;
};

enum method { M_CHUNKED, M_BLOCK, M_PFN, M_NR };
static const char *const mname[M_NR] = { "chunked", "per_block", "per_pfn" };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int pread_all(int fd, void *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = pread(fd, (char *)buf + got, len - got, off + (off_t)got);

		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Scan @rr with @m; the kind counts go to @kinds. 0 or -1. */
static int scan(enum method m, int ffd, int cfd, const struct range *rr, size_t nr,
		uint64_t bp, uint64_t *fb, uint64_t *cb, uint64_t *kinds)
{
	for (size_t i = 0; i < nr; i++) {
		uint64_t pfn = rr[i].start, end = rr[i].start + rr[i].nr;

		while (pfn < end) {
			uint64_t n = end - pfn, k;

			if (m == M_CHUNKED) {
				if (n > KPAGE_CHUNK_PFNS)
					n = KPAGE_CHUNK_PFNS;
				if (kpage_read_fd(ffd, pfn, n, fb) || kpage_read_fd(cfd, pfn, n, cb))
					return -1;
			} else if (m == M_BLOCK) {
				n = bp; /* ranges are whole blocks */
				if (pread_all(ffd, fb, n * 8, (off_t)(pfn * 8)) ||
				    pread_all(cfd, cb, n * 8, (off_t)(pfn * 8)))
					return -1;
			} else {
				n = 1;
				if (pread_all(ffd, fb, 8, (off_t)(pfn * 8)) ||
				    pread_all(cfd, cb, 8, (off_t)(pfn * 8)))
					return -1;
			}
			for (k = 0; k < n; k++)
				kinds[kpage_classify(fb[k], cb[k], cb[k])]++;
			pfn += n;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct zi_system sys;
	struct range *rr;
	size_t nr = 0, i;
	uint64_t bp, pages = 0, max_pages, *fb, *cb;
	uint64_t kinds[M_NR][KPAGE_NR_KINDS];
	double max_gib = 4;
	int reps = 3, r, m, ffd, cfd;
	char err[512];
	cpu_set_t cpus;

	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--max-gib") && i + 1 < (size_t)argc)
			max_gib = atof(argv[++i]);
		else if (!strcmp(argv[i], "--reps") && i + 1 < (size_t)argc)
			reps = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: kpscan [--max-gib G] [--reps N]\n");
			return 2;
		}
	}
	if (reps < 1 || !(max_gib > 0)) {
		fprintf(stderr, "kpscan: bad --reps or --max-gib\n");
		return 2;
	}
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu() > 0 ? sched_getcpu() : 0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);

	zi_system_init(&sys);
	if (zi_system_load(&sys, NULL, err, sizeof(err))) {
		fprintf(stderr, "kpscan: %s\n", err);
		return 1;
	}
	bp = sys.st.block_pages;
	max_pages = (uint64_t)(max_gib * (1ull << 30)) / sys.page_size;
	rr = calloc(sys.st.nr_blocks + 1, sizeof(*rr));
	if (!rr)
		return 1;
	/* online blocks, merged into runs, up to --max-gib */
	for (i = 0; i < sys.st.nr_blocks && pages < max_pages; i++) {
		const struct za_block *b = &sys.st.blocks[i];

		if (!b->online)
			continue;
		if (nr && rr[nr - 1].start + rr[nr - 1].nr == b->id * bp)
			rr[nr - 1].nr += bp;
		else
			rr[nr++] = (struct range){ b->id * bp, bp };
		pages += bp;
	}
	ffd = kpage_open(NULL, "kpageflags");
	cfd = kpage_open(NULL, "kpagecount");
	if (ffd < 0 || cfd < 0) {
		fprintf(stderr, "kpscan: %s\n", kpage_strerror(ffd < 0 ? ffd : cfd));
		return 1;
	}
	fb = malloc((KPAGE_CHUNK_PFNS > bp ? KPAGE_CHUNK_PFNS : bp) * 8);
	cb = malloc((KPAGE_CHUNK_PFNS > bp ? KPAGE_CHUNK_PFNS : bp) * 8);
	if (!fb || !cb)
		return 1;
	printf("{\"bytes\":%llu,\"block_pages\":%llu,\"cpu\":%d,\"reps\":%d",
	       (unsigned long long)(pages * sys.page_size), (unsigned long long)bp, sched_getcpu(),
	       reps);
	{
		double gibps[M_NR][64];

		if (reps > 64)
			reps = 64;
		for (r = 0; r < reps; r++) {
			for (m = 0; m < M_NR; m++) {
				double t0;

				memset(kinds[m], 0, sizeof(kinds[m]));
				t0 = now();
				if (scan(m, ffd, cfd, rr, nr, bp, fb, cb, kinds[m])) {
					fprintf(stderr, "kpscan: %s: read error: %s\n", mname[m],
						strerror(errno));
					return 1;
				}
				gibps[m][r] = pages * (double)sys.page_size / (1ull << 30) / (now() - t0);
			}
		}
		for (m = 0; m < M_NR; m++) {
			printf(",\"%s_gibps\":[", mname[m]);
			for (r = 0; r < reps; r++)
				printf("%s%.4f", r ? "," : "", gibps[m][r]);
			printf("]");
		}
		printf(",\"kinds\":{");
		for (int k = 0; k < KPAGE_NR_KINDS; k++)
			printf("%s\"%s\":[%llu,%llu,%llu]", k ? "," : "", kpage_kind_name(k),
			       (unsigned long long)kinds[M_CHUNKED][k],
			       (unsigned long long)kinds[M_BLOCK][k],
			       (unsigned long long)kinds[M_PFN][k]);
		printf("}}\n");
	}
	return 0;
}
