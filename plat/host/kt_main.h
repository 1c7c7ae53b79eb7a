/* SPDX-License-Identifier: MIT */
/*
 * plat/host/kt_main.h - the command line and exit status shared by
 * the host test runners (unit-tests, linux-backend-tests, guests-linux,
 * conformance-linux): "[--filter GLOB] [--list] [--junit FILE]
 * [--json FILE]", plus options of a runner's own that take one value each.
 */
#ifndef GMV_PLAT_HOST_KT_MAIN_H
#define GMV_PLAT_HOST_KT_MAIN_H

#include "lib/ktap.h"

/* A runner's own option: "name arg", e.g. "--backend native|linux". */
struct kt_main_opt {
	const char *name;
	const char *arg;    /* the value's form, for the usage line */
	const char **value; /* set to the argument after name */
};

/*
 * Parses argv into opt and the n_extra extra options, then makes stdout
 * line buffered. Returns 0, or -EINVAL after printing the usage line to
 * stderr when an argument is unknown or lacks its value. With --junit or
 * --json it does not return but runs the same command without them under
 * scripts/ktap-report.py, which writes the reports (a negative errno when
 * that cannot be started).
 */
int kt_main_args(int argc, char **argv, struct kt_options *opt,
		 const struct kt_main_opt *extra, size_t n_extra);

/*
 * Runs the suites; returns the exit status: 0 when every selected case
 * passed or skipped (or, with --list, was listed), 1 when one failed or
 * none was selected.
 */
int kt_main_run(const struct kt_suite *const *suites, size_t n,
		const struct kt_options *opt);

#endif
