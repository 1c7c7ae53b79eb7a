// SPDX-License-Identifier: MIT
/* tests/payload/boot_test.c - the boot.* suite: one child per module. */
#include "tests/payload/boot_tests.h"
#include "tests/suites.h"

static const struct kt_suite *const boot_children[] = {
	&console_suite,	  &options_suite, &fwcfg_suite, &cpu_suite,
	&exception_suite, &paging_suite,  &pool_suite,	&interrupt_suite,
	&madt_suite,
};

const struct kt_suite boot_suite = {
	.name = "boot",
	.children = boot_children,
	.n_children = ARRAY_SIZE(boot_children),
};
