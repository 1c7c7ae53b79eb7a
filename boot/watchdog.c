// SPDX-License-Identifier: MIT
/* boot/watchdog.c - the run's deadline (see boot/watchdog.h). */
#include "boot/watchdog.h"
#include "boot/console.h"
#include "boot/cpu.h"
#include "boot/exit.h"
#include "boot/nmi_watchdog.h"
#include "boot/start.h"
#include "boot/tsc.h"
#include "hv/deadline.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/fmt.h"

/* The NMI tick waits this long past the deadline before it ends the run,
 * so that the maskable checks, which say better where the run was, see
 * the expiry first whenever they can. */
#define NMI_GRACE_MS 200

static u64 seconds;
/* TSC; 0: no watchdog, or it is stopped or already ending the run. */
static u64 deadline;

/* The NMI tick's state for the "# deadline:" line. */
static const char *nmi_state(const struct madt_irq *pit, const char *why,
			     char *buf, size_t n)
{
	int ret;

	if (!pit) {
		gmv_snprintf(buf, n, "no NMI: %s", why);
		return buf;
	}
	ret = nmi_watchdog_start(pit);
	if (ret)
		gmv_snprintf(buf, n,
			     "no NMI: PIT through I/O APIC %#llx pin %u: %s",
			     (unsigned long long)pit->ioapic,
			     pit->gsi - pit->gsi_base,
			     ret == -EIO ? "no NMI came" :
						 errno_name(ret));
	else
		gmv_snprintf(buf, n,
			     "NMI every %u ms: PIT through I/O APIC %#llx "
			     "pin %u",
			     NMI_WATCHDOG_MS, (unsigned long long)pit->ioapic,
			     pit->gsi - pit->gsi_base);
	return buf;
}

void watchdog_start(u64 s, const struct madt_irq *pit, const char *pit_why)
{
	char nmi[128];

	if (!tsc_khz) {
		kprintf("# deadline=%llu: no TSC frequency, no watchdog\n",
			(unsigned long long)s);
		return;
	}
	seconds = s;
	deadline = rdtsc() + s * 1000 * tsc_khz;
	/* Without a timer the checks at the ends of cases remain. */
	deadline_set_watchdog(deadline);
	kprintf("# deadline: %llu s (%s; %s)\n", (unsigned long long)s,
		deadline_timer() ? "timer and end of each case" :
				   "end of each case only: no timer",
		nmi_state(pit, pit_why, nmi, sizeof(nmi)));
}

/* End the run if the deadline passed grace TSC ticks ago. */
static void check(u64 grace, const char *seen_by)
{
	u64 d = deadline, now = rdtsc();
	char why[96];

	if (!d || now < d || now - d < grace)
		return;
	/* Once: an NMI may come while a check ends the run, or the
	 * reverse; only the one that takes the deadline goes on. */
	if (!__atomic_exchange_n(&deadline, 0, __ATOMIC_SEQ_CST))
		return;
	cli();
	/* An NMI may have cut a line short. */
	console_break_line();
	gmv_snprintf(why, sizeof(why), "deadline expired after %llu s (%s)",
		     (unsigned long long)seconds, seen_by);
	payload_deadline_expired(why);
	exit_run(false);
}

void watchdog_check(const char *seen_by)
{
	check(0, seen_by);
}

void watchdog_nmi(void)
{
	check(NMI_GRACE_MS * tsc_khz, "NMI");
}

void watchdog_stop(void)
{
	deadline = 0;
	nmi_watchdog_stop();
}
