// SPDX-License-Identifier: MIT
/*
 * tests/host/main.c - the host unit-test runner.
 * Usage: unit-tests [--filter GLOB] [--list]
 * Exit status: 0 when every selected case passed or skipped, 1 otherwise.
 */
#include "hv/alloc.h"
#include "tests/common/suites.h"
#include "tests/common/test_mem.h"
#include "tests/host/host_suites.h"
#include "tests/host/plat/kt_main.h"

/* hv_pool for the suites that use the hypervisor's own memory. */
#define HOST_POOL_SIZE (512UL << 20)
static struct page_pool host_pool;

static const struct kt_suite *const host_suites[] = {
	&lib_suite,
	&ktap_output_suite,
	&alloc_suite,
	&insn_decode_suite,
	&guest_walk_suite,
	&npt_suite,
	&svm_suite,
	&vcpu_exit_suite,
	&hv_lib_suite,
	&conf_native_suite,
	&native_gmem_suite,
	&native_fault_suite,
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
