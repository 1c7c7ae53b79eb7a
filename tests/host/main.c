// SPDX-License-Identifier: MIT
/*
 * tests/host/main.c - the host unit-test runner.
 * Usage: unit-tests [--filter GLOB] [--list]
 * Exit status: 0 when every selected case passed or skipped, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "lib/ktap.h"
#include "tests/common/suites.h"

static const struct kt_suite *const host_suites[] = {
	&lib_suite,
	&alloc_suite,
	&insn_decode_suite,
	&npt_suite,
	&svm_suite,
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
	tot = kt_run(host_suites, ARRAY_SIZE(host_suites), &opt);
	if (opt.list)
		return 0;
	return tot.failed || !(tot.passed + tot.skipped) ? 1 : 0;
}
