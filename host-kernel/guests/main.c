// SPDX-License-Identifier: MIT
/*
 * host-kernel/guests/main.c - runs the guest-level suite (guest-tests/
 * cases/) on the linux backend: the test guests under /dev/kvm.
 * Usage: guests-linux [--filter GLOB] [--list]
 * Exit status: 0 when every selected case passed or skipped, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "guest-tests/cases/cases.h"
#include "host-kernel/vmm_linux.h"

int main(int argc, char **argv)
{
	struct kt_options opt = { 0 };
	struct kt_suite suite = guest_suite;
	const struct kt_suite *suites[] = { &suite };
	struct kt_totals tot;
	struct vmm v;

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
	if (vmm_linux_open(&v)) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	suite.ctx = &v;
	tot = kt_run(suites, ARRAY_SIZE(suites), &opt);
	vmm_linux_close(&v);
	if (opt.list)
		return 0;
	return tot.failed || !(tot.passed + tot.skipped) ? 1 : 0;
}
