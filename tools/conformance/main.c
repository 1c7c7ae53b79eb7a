// SPDX-License-Identifier: MIT
/*
 * tools/conformance/main.c - conformance-linux: the conformance suite
 * (guest-tests/conformance) on a backend chosen by name, Linux's real
 * guest_memfd by default. The suite is named "conformance" whatever the
 * backend, so scripts/crosscheck.sh can match cases across two runs.
 * Usage: conformance-linux [--backend native|linux] [--filter GLOB] [--list]
 * Exit status: 0 when every selected case passed or skipped, 1 if one
 * failed, 2 on usage errors or a backend that cannot be opened.
 */
#include <stdio.h>
#include <string.h>

#include "guest-tests/conformance/conformance.h"
#include "tools/replay/backends.h"

static struct vmm backend;
static const struct kt_suite conformance = CONF_SUITE("conformance",
						      &backend);
static const struct kt_suite *const suites[] = { &conformance };

static int usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--backend native|linux] [--filter GLOB] [--list]\n",
		argv0);
	return 2;
}

int main(int argc, char **argv)
{
	const char *name = "linux";
	struct kt_options opt = { 0 };
	struct kt_totals tot;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--backend") && i + 1 < argc)
			name = argv[++i];
		else if (!strcmp(argv[i], "--filter") && i + 1 < argc)
			opt.filter = argv[++i];
		else if (!strcmp(argv[i], "--list"))
			opt.list = true;
		else
			return usage(argv[0]);
	}
	ret = backend_open(name, &backend);
	if (ret) {
		fprintf(stderr, "%s: cannot open backend '%s': %s\n", argv[0],
			name, errno_name(ret));
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# backend: %s\n", name);
	tot = kt_run(suites, ARRAY_SIZE(suites), &opt);
	backend_close(&backend);
	if (opt.list)
		return 0;
	return tot.failed || !(tot.passed + tot.skipped) ? 1 : 0;
}
