// SPDX-License-Identifier: MIT
/*
 * host-kernel/guests/main.c - runs the guest-level suite (guest-tests/
 * cases/) on the linux backend: the test guests under /dev/kvm.
 * Usage: guests-linux [--filter GLOB] [--list]
 * Exit status: 0 when every selected case passed or skipped, 1 otherwise.
 */
#include <stdio.h>

#include "guest-tests/cases/cases.h"
#include "host-kernel/vmm_linux.h"
#include "plat/host/kt_isolate.h"
#include "plat/host/kt_main.h"

static struct vmm backend;
static const struct kt_suite guests = GUEST_SUITE(&backend);
static const struct kt_suite *const suites[] = { &guests };

int main(int argc, char **argv)
{
	struct kt_options opt = { .run = kt_isolated_run };
	int ret;

	if (kt_main_args(argc, argv, &opt, NULL, 0))
		return 2;
	if (vmm_linux_open(&backend)) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return 1;
	}
	ret = kt_main_run(suites, ARRAY_SIZE(suites), &opt);
	vmm_linux_close(&backend);
	return ret;
}
