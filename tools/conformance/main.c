// SPDX-License-Identifier: MIT
/*
 * tools/conformance/main.c - conformance-linux: the conformance suite
 * (guest-tests/conformance) on a backend chosen by name, Linux's real
 * guest_memfd by default. The suite is "conformance" whatever the backend
 * and names it on its "# backend:" line, so scripts/crosscheck.sh can
 * match cases across two runs.
 * Usage: conformance-linux [--backend native|linux] [--filter GLOB] [--list]
 * Exit status: 0 when every selected case passed or skipped, 1 if one
 * failed, 2 on usage errors or a backend that cannot be opened.
 */
#include <stdio.h>
#include <string.h>

#include "guest-tests/conformance/conformance.h"
#include "plat/host/kt_isolate.h"
#include "plat/host/kt_main.h"
#include "tools/replay/backends.h"

static struct vmm backend;
static const struct kt_suite conformance = CONF_SUITE(&backend);
static const struct kt_suite *const suites[] = { &conformance };

int main(int argc, char **argv)
{
	const char *name = "linux";
	const struct kt_main_opt backend_opt = { "--backend", "native|linux",
						 &name };
	struct kt_options opt = { 0 };
	int ret;

	if (kt_main_args(argc, argv, &opt, &backend_opt, 1))
		return 2;
	ret = backend_open(name, &backend);
	if (ret) {
		fprintf(stderr, "%s: cannot open backend '%s': %s\n", argv[0],
			name, errno_name(ret));
		return 2;
	}
	/* A real kernel: every case in a child, bounded (kt_isolate.h). */
	if (!strcmp(name, "linux"))
		opt.run = kt_isolated_run;
	ret = kt_main_run(suites, ARRAY_SIZE(suites), &opt);
	backend_close(&backend);
	return ret;
}
