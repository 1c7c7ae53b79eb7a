// SPDX-License-Identifier: MIT
/* plat/host/kt_main.c - the runners' command line (kt_main.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plat/host/kt_main.h"

/* The Makefile passes the converter's absolute path in the source tree. */
#ifndef GMV_KTAP_REPORT
#error "GMV_KTAP_REPORT: the path of scripts/ktap-report.py"
#endif

static int usage(const char *argv0, const struct kt_main_opt *extra,
		 size_t n_extra)
{
	fprintf(stderr, "usage: %s", argv0);
	for (size_t i = 0; i < n_extra; i++)
		fprintf(stderr, " [%s %s]", extra[i].name, extra[i].arg);
	fprintf(stderr,
		" [--filter GLOB] [--list] [--junit FILE] [--json FILE]\n");
	return -EINVAL;
}

/*
 * --junit FILE, --json FILE: run this same command line, less those
 * options, under scripts/ktap-report.py, which passes the KTAP through and
 * writes the reports from it. The converter, not this process, writes them
 * so that a runner that crashes mid-run (a signal, an ASan abort) still
 * gets reports saying so, and so that the payload's runs (run-qemu.sh,
 * run-bochs.sh) and these share one converter. Returns only on an error,
 * after saying what it was; returns 0 when neither option is given.
 */
static int run_under_report(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 4, sizeof(*args));
	int n = 0, reports = 0, err;

	if (!args) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return -ENOMEM;
	}
	args[n++] = "python3";
	args[n++] = GMV_KTAP_REPORT;
	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "--junit") && strcmp(argv[i], "--json")) ||
		    i + 1 == argc)
			continue;
		args[n++] = argv[i];
		args[n++] = argv[++i];
		reports++;
	}
	if (!reports) {
		free(args);
		return 0;
	}
	args[n++] = "--";
	args[n++] = argv[0];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--list")) {
			fprintf(stderr, "%s: --junit and --json report a run; "
					"--list runs no case\n", argv[0]);
			free(args);
			return -EINVAL;
		}
		if ((!strcmp(argv[i], "--junit") || !strcmp(argv[i], "--json")) &&
		    i + 1 < argc)
			i++;
		else
			args[n++] = argv[i];
	}
	args[n] = NULL;
	fflush(NULL);
	execvp(args[0], args);
	err = errno;
	fprintf(stderr, "%s: --junit, --json: cannot run python3 %s: %s\n",
		argv[0], GMV_KTAP_REPORT, strerror(err));
	free(args);
	return -err;
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
	int err = run_under_report(argc, argv);

	if (err)
		return err;
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
