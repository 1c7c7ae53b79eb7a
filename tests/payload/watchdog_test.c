// SPDX-License-Identifier: MIT
/*
 * tests/payload/watchdog_test.c - watchdog: the deadline= watchdog's NMI
 * tick (boot/nmi_watchdog.h) ends a run that hangs in host code with
 * interrupts off. The case hangs on purpose, so it runs only when asked
 * for: filter= must hold "watchdog_nmi" (no glob of a normal run does)
 * and deadline= must have started the tick. The suite comes last, so
 * that such a filter may select svm_run's NMI case too and run it first;
 * scripts/tests/image-test.sh boots it so and checks how the run ended.
 */
#include "boot/cpu.h"
#include "boot/nmi_watchdog.h"
#include "lib/console.h"
#include "lib/ktap.h"
#include "tests/payload/payload_run.h"
#include "tests/suites.h"

static const char *not_asked_for(struct kt *t)
{
	const char *f = payload_filter();

	if (!f || !kt_glob_match("*watchdog_nmi*", f))
		return "hangs on purpose: runs only with a filter= holding "
		       "\"watchdog_nmi\"";
	if (!nmi_watchdog_running())
		return "needs the NMI watchdog: deadline= and its tick";
	return NULL;
}

/*
 * Hang with interrupts off in the middle of a line: only an NMI ends
 * this, and its result line must still start a line of its own.
 */
static void watchdog_nmi_ends_a_host_hang(struct kt *t)
{
	cli();
	kprintf("# NMIs so far: %llu; hanging with interrupts off here:",
		(unsigned long long)nmi_watchdog_count());
	for (;;)
		cpu_relax();
}

static const struct kt_case watchdog_cases[] = {
	KT_CASE_IF(watchdog_nmi_ends_a_host_hang, not_asked_for),
};

const struct kt_suite watchdog_suite = KT_SUITE("watchdog", watchdog_cases);
