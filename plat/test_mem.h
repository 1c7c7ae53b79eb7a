/* SPDX-License-Identifier: MIT */
/*
 * plat/test_mem.h - big aligned blocks of memory for code that builds its
 * own page pools (unit tests, benchmarks, gmem-replay's native backend).
 * Each platform provides them: the host from mmap (plat/host/test_mem.c),
 * the payload from hv_pool (tests/payload/test_mem.c).
 */
#ifndef GMV_PLAT_TEST_MEM_H
#define GMV_PLAT_TEST_MEM_H

#include "lib/types.h"

/* size bytes (a power of two >= 4 KiB), aligned to size, or NULL. */
void *test_mem_alloc(u64 size);
void test_mem_free(void *p, u64 size);

#endif
