/* SPDX-License-Identifier: MIT */
/*
 * boot/acpi.h - finding an ACPI table: the RSDP from the UEFI
 * configuration table, the XSDT it points at, the table in it with a
 * given signature, each checked by its checksum. Owns no state; read
 * while boot services are there (the tables lie in memory the firmware
 * keeps, identity-mapped).
 */
#ifndef GMV_BOOT_ACPI_H
#define GMV_BOOT_ACPI_H

#include "boot/uefi.h"
#include "lib/types.h"

/* ACPI 6.5 section 5.2.6: the header every system description table
 * starts with. */
struct acpi_header {
	char signature[4];
	u32 length; /* of the whole table, header included */
	u8 revision;
	u8 checksum; /* all length bytes sum to 0 */
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __attribute__((packed));

/* The ACPI 2.0+ RSDP the firmware lists, or NULL. */
const void *acpi_rsdp(const EFI_SYSTEM_TABLE *st);

/*
 * The table with signature sig (4 characters) in the XSDT of rsdp: 0 and
 * *table, -ENOENT when there is none, or -EINVAL with *why saying what is
 * wrong (a checksum, the RSDP's revision or a length).
 */
int acpi_find(const void *rsdp, const char *sig,
	      const struct acpi_header **table, const char **why);

#endif
