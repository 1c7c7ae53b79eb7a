/* SPDX-License-Identifier: MIT */
/*
 * boot/lapic.h - this CPU's local APIC (Intel SDM vol. 3A ch. 11, AMD APM
 * vol. 2 ch. 16): its registers, EOI and the LVT timer. Owns the APIC's
 * state. The registers are the xAPIC page (not in the UEFI memory map, so
 * mapped uncached here) or, when the firmware left the APIC in x2APIC
 * mode, the x2APIC MSRs. The 8259 PICs are masked at init, so that only
 * the APIC's own vectors reach the CPU; the spurious vector gets a handler
 * that does nothing (a spurious interrupt takes no EOI).
 */
#ifndef GMV_BOOT_LAPIC_H
#define GMV_BOOT_LAPIC_H

#include "lib/types.h"

#define LAPIC_SPURIOUS_VECTOR 0xff

enum lapic_timer_mode {
	LAPIC_TIMER_ONESHOT, /* counts down from an initial count */
	LAPIC_TIMER_TSC_DEADLINE, /* fires when the TSC reaches a value */
};

/*
 * Find and enable the APIC as above. 0, -ENODEV (no APIC in CPUID, or
 * disabled in IA32_APIC_BASE) or paging_map()'s error.
 */
int lapic_init(void);

bool lapic_is_x2apic(void);
/* This CPU's local APIC ID in *id: 0, or -ENODEV before lapic_init()
 * succeeded. */
int lapic_id(u32 *id);
/* CPUID.1:ECX bit 24: the timer has TSC-deadline mode. */
bool lapic_has_tsc_deadline(void);

/* Signal the end of the interrupt being handled. */
void lapic_eoi(void);

/*
 * Point the LVT timer at vector in mode, masked or not, and stop it.
 * One-shot counts run at the bus clock divided by 16.
 */
void lapic_timer_setup(enum lapic_timer_mode mode, u8 vector, bool masked);
/* Start the timer: one-shot, from count value (at most U32_MAX);
 * TSC-deadline, for TSC value. 0 stops it. */
void lapic_timer_start(u64 value);
/* One-shot: the count left. */
u32 lapic_timer_current(void);

#endif
