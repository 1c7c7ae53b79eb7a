// SPDX-License-Identifier: MIT
/*
 * tests/payload/main.c - the test payload's payload_main() (boot/start.h):
 * runs the payload's suites as one KTAP document under the firmware's
 * filter=/list options and turns the totals into the run's verdict.
 */
#include "boot/start.h"
#include "lib/ktap.h"
#include "tests/suites.h"

static const struct kt_suite *const payload_suites[] = {
#define SUITE(sym, runners) SUITE_IF_##runners##_payload(sym)
#include "tests/suites.def"
#undef SUITE
};

bool payload_main(const struct boot_options *opts)
{
	struct kt_options kopt = { .filter = opts->filter, .list = opts->list };
	struct kt_totals tot;

	tot = kt_run(payload_suites, ARRAY_SIZE(payload_suites), &kopt);
	if (opts->list)
		return tot.listed;
	return !tot.failed && tot.passed + tot.skipped;
}
