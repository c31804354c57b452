// SPDX-License-Identifier: GPL-2.0
/*
 * hugeresv N: reserve N default-size hugetlb pages without touching them
 * (a shared anonymous MAP_HUGETLB mapping reserves at mmap() time), print
 * "reserved N" and sleep until killed. While it runs those free huge pages
 * cannot be dissolved (dissolve_free_huge_page(): free - resv == 0), which
 * is what test_offline_why.py needs to make an offline fail at the dissolve
 * step. Built statically by the scenario for the lab guest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc == 2 ? strtol(argv[1], NULL, 10) : 0;
	long huge = 2L << 20;
	void *p;

	if (n <= 0 || n > 4096) {
		fprintf(stderr, "usage: hugeresv N (1-4096 huge pages of 2 MiB)\n");
		return 2;
	}
	p = mmap(NULL, n * huge, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB,
		 -1, 0);
	if (p == MAP_FAILED) {
		perror("hugeresv: mmap");
		return 1;
	}
	printf("reserved %ld\n", n);
	fflush(stdout);
	for (;;)
		pause();
}
