// SPDX-License-Identifier: MIT
/*
 * host-kernel/tests/main.c - runs the linux backend's self-tests.
 * Usage: linux-backend-tests [--filter GLOB] [--list]
 * Exit status: 0 when every selected case passed or skipped, 1 otherwise.
 */
#include "host-kernel/tests/suites.h"
#include "plat/host/kt_isolate.h"
#include "plat/host/kt_main.h"

static const struct kt_suite *const suites[] = {
	&linux_backend_suite,
	&linux_vcpu_suite,
	&linux_bounds_suite,
};

int main(int argc, char **argv)
{
	struct kt_options opt = { .run = kt_isolated_run };

	if (kt_main_args(argc, argv, &opt, NULL, 0))
		return 2;
	return kt_main_run(suites, ARRAY_SIZE(suites), &opt);
}
