// SPDX-License-Identifier: MIT
/*
 * boot/acpi.c - finding an ACPI table (see boot/acpi.h).
 *
 * UEFI 2.10 section 4.6.1: the configuration table entry with
 * EFI_ACPI_20_TABLE_GUID points at the RSDP. ACPI 6.5 section 5.2.5.3:
 * the RSDP is "RSD PTR ", a checksum over its first 20 bytes, the
 * revision at byte 15 (2 and later have the XSDT), its length at byte 20,
 * the XSDT's 64-bit address at byte 24 and an extended checksum over the
 * whole length. Section 5.2.8: the XSDT is a header followed by 64-bit
 * table addresses, 4-byte aligned only.
 */
#include "boot/acpi.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36
#define RSDP_REVISION 15
#define RSDP_LENGTH 20
#define RSDP_XSDT 24

static u8 sum(const void *p, size_t n)
{
	const u8 *b = p;
	u8 s = 0;

	while (n--)
		s += *b++;
	return s;
}

const void *acpi_rsdp(const EFI_SYSTEM_TABLE *st)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID;

	for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
		const EFI_CONFIGURATION_TABLE *c = &st->ConfigurationTable[i];

		if (!memcmp(&c->VendorGuid, &acpi20, sizeof(acpi20)))
			return c->VendorTable;
	}
	return NULL;
}

/* A table's header and checksum; *why on failure. */
static bool table_ok(const struct acpi_header *h, const char **why)
{
	if (h->length < sizeof(*h)) {
		*why = "a table shorter than its header";
		return false;
	}
	if (sum(h, h->length)) {
		*why = "a table's checksum is wrong";
		return false;
	}
	return true;
}

int acpi_find(const void *rsdp, const char *sig,
	      const struct acpi_header **table, const char **why)
{
	const u8 *r = rsdp;
	const struct acpi_header *xsdt;
	u32 len;
	u64 addr;

	*table = NULL;
	if (memcmp(r, "RSD PTR ", 8) || sum(r, RSDP_V1_LEN)) {
		*why = "the RSDP's signature or checksum is wrong";
		return -EINVAL;
	}
	memcpy(&len, r + RSDP_LENGTH, sizeof(len));
	if (r[RSDP_REVISION] < 2 || len < RSDP_V2_LEN || sum(r, len)) {
		*why = "no XSDT: the RSDP is not revision 2 or its extended "
		       "checksum is wrong";
		return -EINVAL;
	}
	memcpy(&addr, r + RSDP_XSDT, sizeof(addr));
	xsdt = (const struct acpi_header *)addr;
	if (!xsdt || memcmp(xsdt->signature, "XSDT", 4)) {
		*why = "the RSDP's XSDT address holds no XSDT";
		return -EINVAL;
	}
	if (!table_ok(xsdt, why))
		return -EINVAL;
	for (u32 off = sizeof(*xsdt); off + 8 <= xsdt->length; off += 8) {
		const struct acpi_header *h;

		memcpy(&addr, (const u8 *)xsdt + off, sizeof(addr));
		h = (const struct acpi_header *)addr;
		if (!h || memcmp(h->signature, sig, 4))
			continue;
		if (!table_ok(h, why))
			return -EINVAL;
		*table = h;
		return 0;
	}
	return -ENOENT;
}
