/* SPDX-License-Identifier: MIT */
/*
 * tests/common/test_mem.h - memory for tests that build their own page
 * pools, provided by each platform (host: mmap; payload: the real pool).
 */
#ifndef GMV_TESTS_TEST_MEM_H
#define GMV_TESTS_TEST_MEM_H

#include "lib/types.h"

/* size bytes (a power of two >= 4 KiB), aligned to size, or NULL. */
void *test_mem_alloc(u64 size);
void test_mem_free(void *p, u64 size);

#endif
