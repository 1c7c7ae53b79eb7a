// SPDX-License-Identifier: MIT
/*
 * tests/host/main.c - the host unit-test runner: the suites tests/suites.def
 * gives to the host, over a 512 MiB hv_pool.
 * Usage: unit-tests [--filter GLOB] [--list]
 * Exit status: 0 when every selected case passed or skipped, 1 otherwise.
 */
#include "hv/alloc.h"
#include "plat/host/kt_main.h"
#include "plat/test_mem.h"
#include "tests/suites.h"

/* hv_pool for the suites that use the hypervisor's own memory. */
#define HOST_POOL_SIZE (512UL << 20)
static struct page_pool host_pool;

static const struct kt_suite *const host_suites[] = {
#define SUITE(sym, runners) SUITE_IF_##runners##_host(sym)
#include "tests/suites.def"
#undef SUITE
};

int main(int argc, char **argv)
{
	struct kt_options opt = { 0 };

	if (kt_main_args(argc, argv, &opt, NULL, 0))
		return 2;
	alloc_pool_init(&host_pool);
	if (!alloc_add_region(&host_pool,
			      (phys_addr_t)test_mem_alloc(HOST_POOL_SIZE),
			      HOST_POOL_SIZE))
		hv_pool = &host_pool;
	return kt_main_run(host_suites, ARRAY_SIZE(host_suites), &opt);
}
