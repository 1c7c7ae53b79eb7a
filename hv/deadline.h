/* SPDX-License-Identifier: MIT */
/*
 * hv/deadline.h - the deadline timer a platform lends the vCPU run loop,
 * so that vcpu_run() gives up on a guest that makes no exit for
 * VMM_RUN_LIMIT_MS (hv/vmm.h). Owns the registered timer and whether it is
 * armed; the payload registers one at start-up (boot/apic_deadline.c),
 * the host build none (it has no vCPUs). Deadlines are values of this
 * CPU's time-stamp counter, which hv/ reads itself: one RDTSC, no call
 * into the platform, on every entry.
 *
 * The contract, KVM's on SVM: the run loop intercepts physical interrupts
 * and lets the host take them right after each #VMEXIT. A timer armed for
 * a deadline raises an interrupt there, which the platform's own handler
 * acknowledges; the run loop then sees an INTR exit and compares the TSC
 * with the deadline. The interrupt may come early (a timer kept from an
 * earlier run, one that cannot count that far, or another source): the
 * loop then arms the timer again and re-enters the guest.
 *
 * Runs do not cancel the timer: deadline_arm() keeps a timer armed to fire
 * no later than asked (every run's deadline is later than the last), so a
 * run costs no timer access until the timer has fired, which the
 * platform's handler reports with deadline_timer_fired(). An interrupt
 * that fires between runs waits, pending, for the next VMRUN, and ends it
 * at once.
 *
 * The one timer also serves the payload's watchdog (option deadline=,
 * boot/watchdog.h): deadline_set_watchdog() gives a second deadline that
 * every arm honours, so the timer is armed for the earlier of the two and
 * a guest that spins past the watchdog is interrupted in time. The
 * platform's handler decides whether the watchdog expired; to the run
 * loop, its interrupt looks like any early one.
 */
#ifndef GMV_HV_DEADLINE_H
#define GMV_HV_DEADLINE_H

#include "hv/x86/cpu.h"
#include "lib/types.h"

struct deadline_timer {
	const char *name; /* for diagnostics, e.g. "LAPIC one-shot" */
	u64 tsc_per_ms;	  /* TSC ticks per millisecond */
	/* Raise one interrupt when the TSC reaches deadline, or earlier
	 * when the hardware cannot count that far (or, calibrated against
	 * the TSC, is a little fast); a deadline already past fires at
	 * once. Replaces any earlier arm. */
	void (*arm)(u64 deadline);
	/* Cancel the armed interrupt, if it has not fired yet. */
	void (*disarm)(void);
};

/* Install (a copy of) the platform's timer; NULL: none, and so no vCPUs
 * (hv/vcpu.h). */
void deadline_timer_register(const struct deadline_timer *t);
/* The installed timer, or NULL. */
const struct deadline_timer *deadline_timer(void);

static inline u64 deadline_now(void)
{
	return rdtsc();
}

/* The TSC ms milliseconds from now, or 0 (no deadline) without a timer. */
u64 deadline_after_ms(u64 ms);
/* Has the deadline passed? Never for 0. */
bool deadline_passed(u64 deadline);
/* Make sure an interrupt comes by deadline, or by the watchdog's if that
 * is sooner: arm the timer unless it is armed for that or sooner already.
 * Nothing without a timer or for 0. */
void deadline_arm(u64 deadline);
/* Set the watchdog's deadline (0: none) and arm the timer for it. */
void deadline_set_watchdog(u64 deadline);
/* Cancel the timer. */
void deadline_disarm(void);
/* The TSC value the timer is armed for (the earlier of the run's and the
 * watchdog's deadline), 0 when it is not armed: for a backend that also
 * ends the guest's run by its own timer then (VMX's preemption timer). */
u64 deadline_armed_for(void);
/* For the platform's interrupt handler: the timer fired, it is not armed
 * any more. */
void deadline_timer_fired(void);

#endif
