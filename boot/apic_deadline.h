/* SPDX-License-Identifier: MIT */
/*
 * boot/apic_deadline.h - the payload's deadline timer for the vCPU run
 * loop (hv/deadline.h) on the local APIC timer (boot/lapic.h): its clock
 * is the TSC (boot/tsc.h), and it fires through TSC-deadline mode where
 * CPUID offers it, else through one-shot counts calibrated against the
 * TSC. Owns the timer's vector and its handler, which sends the EOI.
 */
#ifndef GMV_BOOT_APIC_DEADLINE_H
#define GMV_BOOT_APIC_DEADLINE_H

#include "lib/types.h"

#define APIC_DEADLINE_VECTOR 0xf0

/*
 * Set up the APIC and its timer, install the vector's handler and
 * register the timer with hv/. Needs tsc_khz. 0, -ENODEV (no TSC
 * frequency, no APIC, or a one-shot timer that does not count) or
 * lapic_init()'s error; on error nothing is registered.
 */
int apic_deadline_init(void);

/* Interrupts the timer raised so far. */
u64 apic_deadline_irqs(void);

#endif
