/* SPDX-License-Identifier: MIT */
/*
 * boot/ioapic.h - one I/O APIC pin routed as a non-maskable interrupt
 * (Intel 82093AA I/O APIC datasheet). Owns the pin it routed: its
 * register page (mapped uncached here, as it is not in the UEFI memory
 * map) and its number.
 */
#ifndef GMV_BOOT_IOAPIC_H
#define GMV_BOOT_IOAPIC_H

#include "lib/types.h"

/*
 * Route pin of the I/O APIC at base to the local APIC apic_id as an NMI,
 * edge-triggered, of the given polarity, unmasked. 0, -ERANGE when the
 * I/O APIC has no such pin, or paging_map()'s error.
 */
int ioapic_route_nmi(u64 base, unsigned int pin, u32 apic_id, bool active_low);
/* Mask the pin routed last; nothing if none. */
void ioapic_mask_routed(void);

#endif
