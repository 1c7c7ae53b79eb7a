// SPDX-License-Identifier: MIT
/*
 * plat/host/test_mem.c - test memory (plat/test_mem.h) on the host:
 * anonymous mappings, trimmed to an aligned window.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "plat/test_mem.h"

void *test_mem_alloc(u64 size)
{
	/* Over-map by size to find an aligned window, then trim. */
	u8 *p = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t start, end;

	if (p == MAP_FAILED)
		return NULL;
	start = ALIGN_UP((uintptr_t)p, size);
	end = start + size;
	if (start > (uintptr_t)p)
		munmap(p, start - (uintptr_t)p);
	if ((uintptr_t)p + 2 * size > end)
		munmap((void *)end, (uintptr_t)p + 2 * size - end);
	/* Fewer page faults for the big arenas. */
	madvise((void *)start, size, MADV_HUGEPAGE);
	return (void *)start;
}

void test_mem_free(void *p, u64 size)
{
	munmap(p, size);
}
