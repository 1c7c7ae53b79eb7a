// SPDX-License-Identifier: MIT
/* tests/payload/suites.c - the suites the payload runs, in order. */
#include "tests/common/suites.h"
#include "tests/payload/suites.h"

const struct kt_suite *const payload_suites[] = {
	&boot_suite,
	&lib_suite,
	&alloc_suite,
	&npt_suite,
	&hv_lib_suite,
	&conf_native_suite,
	&native_gmem_suite,
	&native_fault_suite,
	&insn_decode_suite,
	&guest_walk_suite,
	&svm_suite,
	&svm_run_suite,
	&vcpu_native_suite,
	&guest_native_suite,
};

const size_t payload_suites_count = ARRAY_SIZE(payload_suites);
