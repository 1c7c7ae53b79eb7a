// SPDX-License-Identifier: MIT
/*
 * tests/payload/main.c - the test payload's payload_main() and
 * payload_deadline_expired() (boot/start.h): runs the payload's suites as
 * one KTAP document under the firmware's filter=/list options, checks the
 * run's deadline (boot/watchdog.h) at the end of each case, keeps the
 * run's record for the results variable and turns the totals into the
 * run's verdict. With bench=1 the run is the guest-path benchmark
 * (guest_bench_native_suite, tests/payload/guest_native.c) instead.
 */
#include "boot/exit.h"
#include "boot/start.h"
#include "boot/watchdog.h"
#include "lib/console.h"
#include "lib/ktap.h"
#include "tests/payload/payload_run.h"
#include "tests/suites.h"

static const struct kt_suite *const bench_suites[] = {
	&guest_bench_native_suite,
};

static const struct kt_suite *const payload_suites[] = {
#define SUITE(sym, runners) SUITE_IF_##runners##_payload(sym)
#include "tests/suites.def"
#undef SUITE
};

static struct kt_record record;
static const char *filter;

const char *payload_filter(void)
{
	return filter;
}

static void run_checked(struct kt *t, void (*body)(struct kt *t))
{
	body(t);
	watchdog_check("end of case");
}

bool payload_main(const struct boot_options *opts)
{
	struct kt_options kopt = { .filter = opts->filter,
				   .list = opts->list,
				   .run = run_checked,
				   .record = &record };
	struct kt_totals tot;

	filter = opts->filter;
	exit_set_report(record.text);
	if (opts->bench)
		tot = kt_run(bench_suites, ARRAY_SIZE(bench_suites), &kopt);
	else
		tot = kt_run(payload_suites, ARRAY_SIZE(payload_suites), &kopt);
	if (opts->list)
		return tot.listed;
	return !tot.failed && tot.passed + tot.skipped;
}

void payload_deadline_expired(const char *why)
{
	/* Outside kt_run() (a list) there is no summary: the results
	 * variable then says the run failed before it (boot/exit.h). */
	if (!kt_abort(why))
		kprintf("# %s\n", why);
}
