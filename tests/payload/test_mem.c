// SPDX-License-Identifier: MIT
/*
 * tests/payload/test_mem.c - test memory (plat/test_mem.h) for the
 * payload: blocks of hv_pool held by OWN_TEST, so the shared suites run on
 * real physical memory.
 */
#include "hv/alloc.h"
#include "plat/test_mem.h"

/* The order of a power-of-two size of at least a page, or -1. */
static int order_of(u64 size)
{
	if (size < PAGE_SIZE || (size & (size - 1)))
		return -1;
	return __builtin_ctzll(size) - PAGE_SHIFT;
}

void *test_mem_alloc(u64 size)
{
	int order = order_of(size);

	if (order < 0 || order > ALLOC_MAX_ORDER)
		return NULL;
	return alloc_pages(hv_pool, (unsigned int)order, OWN_TEST);
}

void test_mem_free(void *p, u64 size)
{
	free_pages(hv_pool, p, (unsigned int)order_of(size), OWN_TEST);
}
