// SPDX-License-Identifier: MIT
/*
 * tests/payload/watchdog_test.c - boot.watchdog: the deadline= watchdog's
 * NMI tick (boot/nmi_watchdog.h) ends a run that hangs in host code with
 * interrupts off. The case hangs on purpose, so it runs only when asked
 * for by name: filter= must be its path, whole, and deadline= must have
 * started the tick; scripts/tests/image-test.sh boots it so and checks
 * how the run ended.
 */
#include "boot/cpu.h"
#include "boot/nmi_watchdog.h"
#include "lib/console.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/payload/boot_tests.h"

#define HANG_PATH "boot.watchdog.watchdog_nmi_ends_a_host_hang"

static const char *not_asked_for(struct kt *t)
{
	const char *f = payload_filter();

	if (!f || strcmp(f, HANG_PATH))
		return "hangs on purpose: runs only with filter=" HANG_PATH;
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
	u64 before = nmi_watchdog_count();

	cli();
	kprintf("# NMIs so far: %llu; hanging with interrupts off here:",
		(unsigned long long)before);
	for (;;)
		cpu_relax();
}

static const struct kt_case watchdog_cases[] = {
	KT_CASE_IF(watchdog_nmi_ends_a_host_hang, not_asked_for),
};

const struct kt_suite watchdog_suite = KT_SUITE("watchdog", watchdog_cases);
