/* SPDX-License-Identifier: MIT */
/*
 * hv/deadline.h - the deadline timer a platform lends the vCPU run loop,
 * so that vcpu_run() gives up on a guest that makes no exit for
 * VMM_RUN_LIMIT_MS (hv/vmm.h). Owns only the pointer to the platform's
 * timer; the payload registers one at start-up (boot/apic_deadline.c), the
 * host build none (it has no vCPUs).
 *
 * The contract, KVM's on SVM: the run loop intercepts physical interrupts
 * and lets the host take them right after each #VMEXIT. A timer armed for
 * a deadline raises an interrupt there, which the platform's own handler
 * acknowledges; the run loop then sees an INTR exit and compares now()
 * with the deadline. The interrupt may come early (a timer that cannot
 * reach that far, or another source): the loop then arms the timer again
 * and re-enters the guest.
 */
#ifndef GMV_HV_DEADLINE_H
#define GMV_HV_DEADLINE_H

#include "lib/types.h"

struct deadline_timer {
	const char *name; /* for diagnostics, e.g. "LAPIC one-shot" */
	u64 ticks_per_ms; /* of now() */
	/* A monotonic clock. */
	u64 (*now)(void);
	/* Raise one interrupt at deadline (a now() value), or earlier when
	 * the hardware cannot count that far (or, calibrated against now(),
	 * is a little fast); a deadline already past fires at once. Replaces
	 * any earlier arm. */
	void (*arm)(u64 deadline);
	/* Cancel the armed interrupt, if it has not fired yet. */
	void (*disarm)(void);
};

/* Install the platform's timer (NULL: none, and so no vCPUs, hv/vcpu.h). */
void deadline_timer_register(const struct deadline_timer *t);
/* The installed timer, or NULL. */
const struct deadline_timer *deadline_timer(void);

/* The now() value ms milliseconds from now, or 0 (no deadline) without a
 * timer. */
u64 deadline_after_ms(u64 ms);
/* Has the deadline passed? Never for 0. */
bool deadline_passed(u64 deadline);
/* Arm or cancel the timer; nothing without a timer or for deadline 0. */
void deadline_arm(u64 deadline);
void deadline_disarm(void);

#endif
