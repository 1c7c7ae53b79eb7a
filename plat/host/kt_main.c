// SPDX-License-Identifier: MIT
/* plat/host/kt_main.c - the runners' command line (kt_main.h). */
#include <stdio.h>
#include <string.h>

#include "plat/host/kt_main.h"

static int usage(const char *argv0, const struct kt_main_opt *extra,
		 size_t n_extra)
{
	fprintf(stderr, "usage: %s", argv0);
	for (size_t i = 0; i < n_extra; i++)
		fprintf(stderr, " [%s %s]", extra[i].name, extra[i].arg);
	fprintf(stderr, " [--filter GLOB] [--list]\n");
	return -EINVAL;
}

/* Consumes argv[*i] (and its value) if it is one of the extra options. */
static bool extra_arg(int argc, char **argv, int *i,
		      const struct kt_main_opt *extra, size_t n_extra)
{
	for (size_t k = 0; k < n_extra; k++) {
		if (!strcmp(argv[*i], extra[k].name) && *i + 1 < argc) {
			*extra[k].value = argv[++*i];
			return true;
		}
	}
	return false;
}

int kt_main_args(int argc, char **argv, struct kt_options *opt,
		 const struct kt_main_opt *extra, size_t n_extra)
{
	for (int i = 1; i < argc; i++) {
		if (extra_arg(argc, argv, &i, extra, n_extra))
			continue;
		if (!strcmp(argv[i], "--filter") && i + 1 < argc)
			opt->filter = argv[++i];
		else if (!strcmp(argv[i], "--list"))
			opt->list = true;
		else
			return usage(argv[0], extra, n_extra);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	return 0;
}

int kt_main_run(const struct kt_suite *const *suites, size_t n,
		const struct kt_options *opt)
{
	struct kt_totals tot = kt_run(suites, n, opt);

	if (opt->list)
		return tot.listed ? 0 : 1;
	return tot.failed || !(tot.passed + tot.skipped) ? 1 : 0;
}
