// SPDX-License-Identifier: MIT
/*
 * host-kernel/tests/main.c - runs the linux backend's self-tests.
 * Usage: linux-backend-tests [--filter GLOB] [--list]
 * Exit status: 0 when every selected case passed or skipped, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "host-kernel/tests/suites.h"

static const struct kt_suite *const suites[] = {
	&linux_backend_suite,
	&linux_vcpu_suite,
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
	tot = kt_run(suites, ARRAY_SIZE(suites), &opt);
	if (opt.list)
		return 0;
	return tot.failed || !(tot.passed + tot.skipped) ? 1 : 0;
}
