// SPDX-License-Identifier: MIT
/*
 * tests/host/main.c - the host unit-test runner.
 * Usage: unit-tests [--filter GLOB] [--list]
 * Exit status: 0 when every selected case passed or skipped, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "hv/alloc.h"
#include "lib/ktap.h"
#include "tests/common/suites.h"
#include "tests/common/test_mem.h"

/* hv_pool for the suites that use the hypervisor's own memory. */
#define HOST_POOL_SIZE (512UL << 20)
static struct page_pool host_pool;

static const struct kt_suite *const host_suites[] = {
	&lib_suite,
	&alloc_suite,
	&insn_decode_suite,
	&npt_suite,
	&svm_suite,
	&hv_lib_suite,
	&conf_native_suite,
	&native_gmem_suite,
	&native_fault_suite,
};

int main(int argc, char **argv)
{
	struct kt_options opt = { 0 };
	struct kt_totals tot;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--filter") && i + 1 < argc) {
			opt.filter = argv[++i];
		} else if (!strcmp(argv[i], "--list")) {
			opt.list = true;
		} else {
			fprintf(stderr, "usage: %s [--filter GLOB] [--list]\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	alloc_pool_init(&host_pool);
	if (!alloc_add_region(&host_pool,
			      (phys_addr_t)test_mem_alloc(HOST_POOL_SIZE),
			      HOST_POOL_SIZE))
		hv_pool = &host_pool;
	tot = kt_run(host_suites, ARRAY_SIZE(host_suites), &opt);
	if (opt.list)
		return 0;
	return tot.failed || !(tot.passed + tot.skipped) ? 1 : 0;
}
