// SPDX-License-Identifier: MIT
/* boot/watchdog.c - the run's deadline (see boot/watchdog.h). */
#include "boot/watchdog.h"
#include "boot/cpu.h"
#include "boot/exit.h"
#include "boot/start.h"
#include "boot/tsc.h"
#include "hv/deadline.h"
#include "lib/console.h"
#include "lib/fmt.h"

static u64 seconds;
static u64 deadline; /* TSC; 0: no watchdog */

void watchdog_start(u64 s)
{
	if (!tsc_khz) {
		kprintf("# deadline=%llu: no TSC frequency, no watchdog\n",
			(unsigned long long)s);
		return;
	}
	seconds = s;
	deadline = rdtsc() + s * 1000 * tsc_khz;
	/* Without a timer the checks at the ends of cases remain. */
	deadline_set_watchdog(deadline);
	kprintf("# deadline: %llu s (%s)\n", (unsigned long long)s,
		deadline_timer() ? "timer and end of each case" :
				   "end of each case only: no timer");
}

void watchdog_check(const char *seen_by)
{
	char why[96];

	if (!deadline || rdtsc() < deadline)
		return;
	deadline = 0; /* once: the payload's printing is not checked again */
	cli();
	gmv_snprintf(why, sizeof(why), "deadline expired after %llu s (%s)",
		     (unsigned long long)seconds, seen_by);
	payload_deadline_expired(why);
	exit_run(false);
}
