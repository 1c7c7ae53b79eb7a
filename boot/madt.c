// SPDX-License-Identifier: MIT
/*
 * boot/madt.c - an ISA interrupt's route through the MADT (see
 * boot/madt.h).
 *
 * ACPI 6.5 section 5.2.12: after the header, the local APIC address (4
 * bytes), the flags (4 bytes), then interrupt controller structures, each
 * a type byte and a length byte. Section 5.2.12.3, type 1 (I/O APIC,
 * 12 bytes): the I/O APIC's address at byte 4, its GSI base at byte 8.
 * Section 5.2.12.5, type 2 (Interrupt Source Override, 10 bytes): bus at
 * byte 2 (0: ISA), source IRQ at byte 3, its GSI at byte 4, MPS INTI
 * flags at byte 8 (Table 5.26: polarity in bits 1:0, 3 active low).
 * Without an override an ISA IRQ is the GSI of the same number, active
 * high (section 5.2.12.5).
 */
#include "boot/madt.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define MADT_ENTRIES 44
#define MADT_IOAPIC 1
#define MADT_IOAPIC_LEN 12
#define MADT_ISO 2
#define MADT_ISO_LEN 10
#define ISO_BUS_ISA 0
#define INTI_POLARITY_MASK 0x3
#define INTI_ACTIVE_LOW 0x3

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int madt_decode_isa_irq(const struct acpi_header *madt, unsigned int irq,
			struct madt_irq *r, const char **why)
{
	const u8 *p, *end;
	bool found = false;

	*r = (struct madt_irq){ .gsi = irq };
	if (madt->length < MADT_ENTRIES) {
		*why = "the MADT is shorter than its fixed fields";
		return -EINVAL;
	}
	end = (const u8 *)madt + madt->length;
	/* The override first: it says which GSI to look for. */
	for (p = (const u8 *)madt + MADT_ENTRIES; p + 2 <= end; p += p[1]) {
		if (p[1] < 2 || p + p[1] > end) {
			*why = "an MADT entry's length is wrong";
			return -EINVAL;
		}
		if (p[0] == MADT_ISO && p[1] >= MADT_ISO_LEN &&
		    p[2] == ISO_BUS_ISA && p[3] == irq) {
			r->gsi = get32(p + 4);
			r->active_low =
				(p[8] & INTI_POLARITY_MASK) == INTI_ACTIVE_LOW;
		}
	}
	/* The I/O APIC with the highest GSI base at or below it. */
	for (p = (const u8 *)madt + MADT_ENTRIES; p + 2 <= end; p += p[1]) {
		if (p[0] != MADT_IOAPIC || p[1] < MADT_IOAPIC_LEN ||
		    get32(p + 8) > r->gsi ||
		    (found && get32(p + 8) < r->gsi_base))
			continue;
		r->ioapic = get32(p + 4);
		r->gsi_base = get32(p + 8);
		found = true;
	}
	if (!found) {
		*why = "no I/O APIC in the MADT serves the interrupt";
		return -ENOENT;
	}
	return 0;
}

int madt_isa_irq(const void *rsdp, unsigned int irq, struct madt_irq *r,
		 const char **why)
{
	const struct acpi_header *madt;
	int ret;

	*r = (struct madt_irq){ .gsi = irq };
	if (!rsdp) {
		*why = "no ACPI 2.0 RSDP from the firmware";
		return -ENOENT;
	}
	ret = acpi_find(rsdp, "APIC", &madt, why);
	if (ret == -ENOENT)
		*why = "no ACPI MADT";
	if (ret)
		return ret;
	return madt_decode_isa_irq(madt, irq, r, why);
}
