/* SPDX-License-Identifier: MIT */
/*
 * boot/watchdog.h - the run's deadline (option deadline=, boot/options.h):
 * a run still going SECONDS after the watchdog started ends as a failure,
 * the way every run ends (boot/exit.h), after the payload has printed and
 * recorded its verdict (payload_deadline_expired(), boot/start.h). Owns
 * the deadline, a TSC value.
 *
 * Where the expiry is seen (docs/ARCHITECTURE.md "The watchdog and the
 * results variable"): the payload runs with interrupts off outside VMRUN,
 * so the deadline shares the vCPU run limit's timer (hv/deadline.h keeps
 * it armed for the earlier of the two) and its interrupt handler checks
 * it, which catches a guest that runs past the deadline; the payload
 * checks it where it polls, at the end of each case; and a non-maskable
 * tick (boot/nmi_watchdog.h) checks it NMI_GRACE_MS after it passed,
 * which catches host code that loops with interrupts off. The grace lets
 * the other two, which name the place better, go first.
 */
#ifndef GMV_BOOT_WATCHDOG_H
#define GMV_BOOT_WATCHDOG_H

#include "boot/madt.h"
#include "lib/types.h"

/*
 * Start the watchdog for seconds from now, arm the timer for it and
 * start the NMI tick on pit, ISA IRQ 0's route (NULL: none, pit_why says
 * why); the "# deadline:" line says which checks there are. Needs
 * tsc_khz (boot/tsc.h); without it, says so and keeps no deadline.
 */
void watchdog_start(u64 seconds, const struct madt_irq *pit,
		    const char *pit_why);

/* If the deadline has passed, end the run as a failure (never returns);
 * seen_by names the check for the message, e.g. "timer interrupt". */
void watchdog_check(const char *seen_by);

/* The NMI tick's check, named "NMI", a grace after the deadline. */
void watchdog_nmi(void);

/* No more checks and no more ticks: the run is ending (boot/exit.h). */
void watchdog_stop(void);

#endif
