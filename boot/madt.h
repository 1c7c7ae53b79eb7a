/* SPDX-License-Identifier: MIT */
/*
 * boot/madt.h - where an ISA interrupt reaches an I/O APIC, from the ACPI
 * Multiple APIC Description Table (MADT, signature "APIC"): the I/O APIC
 * that serves the interrupt's global system interrupt (GSI) and the
 * interrupt's polarity, after any Interrupt Source Override. Owns the
 * decoding of that table; no state. Read while boot services are there,
 * as for every ACPI table (boot/acpi.h).
 */
#ifndef GMV_BOOT_MADT_H
#define GMV_BOOT_MADT_H

#include "boot/acpi.h"
#include "lib/types.h"

struct madt_irq {
	u64 ioapic; /* the I/O APIC's register page (physical address) */
	u32 gsi_base; /* the GSI of its pin 0 */
	u32 gsi; /* the interrupt's GSI: pin gsi - gsi_base */
	bool active_low;
};

/*
 * Route ISA interrupt irq by the MADT in the XSDT of rsdp (boot/acpi.h):
 * 0 and *r, or -ENOENT (no RSDP, no MADT, or no I/O APIC serves the GSI)
 * or -EINVAL (a checksum, a malformed table) with the reason in *why.
 */
int madt_isa_irq(const void *rsdp, unsigned int irq, struct madt_irq *r,
		 const char **why);
/* The same, by the MADT madt (checksum already checked). */
int madt_decode_isa_irq(const struct acpi_header *madt, unsigned int irq,
			struct madt_irq *r, const char **why);

#endif
