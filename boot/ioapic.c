// SPDX-License-Identifier: MIT
/*
 * boot/ioapic.c - an I/O APIC pin as an NMI (see boot/ioapic.h).
 *
 * 82093AA datasheet section 3.0: software selects a register by writing
 * its index to IOREGSEL (offset 0x00) and reads or writes it through
 * IOWIN (offset 0x10). Section 3.2.2: IOAPICVER (index 0x01) holds the
 * highest redirection entry's number in bits 23:16. Section 3.2.4: entry
 * n is indexes 0x10 + 2n (low dword) and 0x11 + 2n (high dword): vector
 * in bits 7:0, delivery mode in 10:8 (100b NMI, whose vector is ignored
 * and which must be programmed edge-triggered), destination mode bit 11
 * (0 physical), polarity bit 13 (1 low active), trigger mode bit 15 (0
 * edge), mask bit 16, and the destination APIC ID in bits 63:56.
 */
#include "boot/ioapic.h"
#include "boot/paging.h"
#include "lib/errno.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPICVER 0x01
#define VER_MAX_ENTRY(v) (((v) >> 16) & 0xff)
#define REDTBL_LO(n) (0x10 + 2 * (n))
#define REDTBL_HI(n) (0x11 + 2 * (n))
#define RTE_DELIVERY_NMI (4u << 8)
#define RTE_ACTIVE_LOW BIT(13)
#define RTE_MASKED BIT(16)
#define RTE_DEST_SHIFT 24 /* bits 63:56, in the high dword */

static u64 routed_base;
static unsigned int routed_pin;

static u32 reg_read(u64 base, u32 index)
{
	*(volatile u32 *)(base + IOREGSEL) = index;
	return *(volatile u32 *)(base + IOWIN);
}

static void reg_write(u64 base, u32 index, u32 v)
{
	*(volatile u32 *)(base + IOREGSEL) = index;
	*(volatile u32 *)(base + IOWIN) = v;
}

int ioapic_route_nmi(u64 base, unsigned int pin, u32 apic_id, bool active_low)
{
	u32 lo = RTE_DELIVERY_NMI | (active_low ? RTE_ACTIVE_LOW : 0);
	int ret;

	ret = paging_map(base, base, PAGE_SIZE,
			 NPT_PROT_R | NPT_PROT_W | NPT_PROT_UC);
	if (ret)
		return ret;
	if (pin > VER_MAX_ENTRY(reg_read(base, IOAPICVER)))
		return -ERANGE;
	/* Masked while the destination changes, then opened. */
	reg_write(base, REDTBL_LO(pin), lo | RTE_MASKED);
	reg_write(base, REDTBL_HI(pin), apic_id << RTE_DEST_SHIFT);
	reg_write(base, REDTBL_LO(pin), lo);
	routed_base = base;
	routed_pin = pin;
	return 0;
}

void ioapic_mask_routed(void)
{
	if (!routed_base)
		return;
	reg_write(routed_base, REDTBL_LO(routed_pin),
		  reg_read(routed_base, REDTBL_LO(routed_pin)) | RTE_MASKED);
}
