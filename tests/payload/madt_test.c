// SPDX-License-Identifier: MIT
/*
 * tests/payload/madt_test.c - boot.madt: an ISA interrupt's route through
 * hand-made MADTs (boot/madt.h): the identity route without an override,
 * an override's GSI and polarity, the I/O APIC whose GSI range holds it,
 * overrides of other buses and IRQs ignored, and the refusals. The
 * firmware's own MADT is read at every boot (efi_main()), and what it
 * says shows in the "# deadline:" line (scripts/tests/image-test.sh).
 */
#include "boot/madt.h"
#include "lib/errno.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/payload/boot_tests.h"

#define MADT_MAX 128

struct madt_img {
	struct acpi_header h;
	u32 lapic_addr;
	u32 flags;
	u8 entries[MADT_MAX];
} __attribute__((packed));

static void madt_start(struct madt_img *m)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->h.signature, "APIC", 4);
	m->h.length = offsetof(struct madt_img, entries);
	m->lapic_addr = 0xfee00000;
}

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, sizeof(v));
}

/* ACPI 6.5 5.2.12.3: type 1, 12 bytes. */
static void add_ioapic(struct madt_img *m, u8 id, u32 addr, u32 gsi_base)
{
	u8 *p = (u8 *)m + m->h.length;

	p[0] = 1;
	p[1] = 12;
	p[2] = id;
	put32(p + 4, addr);
	put32(p + 8, gsi_base);
	m->h.length += 12;
}

/* ACPI 6.5 5.2.12.5: type 2, 10 bytes. */
static void add_override(struct madt_img *m, u8 bus, u8 irq, u32 gsi,
			 u16 flags)
{
	u8 *p = (u8 *)m + m->h.length;

	p[0] = 2;
	p[1] = 10;
	p[2] = bus;
	p[3] = irq;
	put32(p + 4, gsi);
	memcpy(p + 8, &flags, sizeof(flags));
	m->h.length += 10;
}

/* A local APIC entry (type 0, 8 bytes), to be skipped. */
static void add_lapic(struct madt_img *m)
{
	u8 *p = (u8 *)m + m->h.length;

	p[0] = 0;
	p[1] = 8;
	m->h.length += 8;
}

static void madt_identity_without_override(struct kt *t)
{
	struct madt_img m;
	struct madt_irq r;
	const char *why = NULL;

	madt_start(&m);
	add_lapic(&m);
	add_ioapic(&m, 0, 0xfec00000, 0);
	KT_ASSERT_OK(t, madt_decode_isa_irq(&m.h, 0, &r, &why));
	KT_EXPECT_EQ(t, r.ioapic, 0xfec00000);
	KT_EXPECT_EQ(t, r.gsi_base, 0);
	KT_EXPECT_EQ(t, r.gsi, 0);
	KT_EXPECT(t, !r.active_low);
}

/* q35's: IRQ 0 -> GSI 2; flags 0xf are level, active low. */
static void madt_override_gsi_and_polarity(struct kt *t)
{
	struct madt_img m;
	struct madt_irq r;
	const char *why = NULL;

	madt_start(&m);
	add_ioapic(&m, 0, 0xfec00000, 0);
	add_override(&m, 0, 0, 2, 0);
	add_override(&m, 1, 0, 9, 0xf); /* another bus: ignored */
	add_override(&m, 0, 9, 9, 0xf); /* another IRQ: ignored */
	KT_ASSERT_OK(t, madt_decode_isa_irq(&m.h, 0, &r, &why));
	KT_EXPECT_EQ(t, r.gsi, 2);
	KT_EXPECT(t, !r.active_low);
	KT_ASSERT_OK(t, madt_decode_isa_irq(&m.h, 9, &r, &why));
	KT_EXPECT_EQ(t, r.gsi, 9);
	KT_EXPECT(t, r.active_low);
	/* Active high (01) is not low; 11 is. */
	madt_start(&m);
	add_ioapic(&m, 0, 0xfec00000, 0);
	add_override(&m, 0, 0, 2, 0x5);
	KT_ASSERT_OK(t, madt_decode_isa_irq(&m.h, 0, &r, &why));
	KT_EXPECT(t, !r.active_low);
}

/* Two I/O APICs: the one whose range holds the GSI, listed in any order. */
static void madt_picks_the_ioapic_of_the_gsi(struct kt *t)
{
	struct madt_img m;
	struct madt_irq r;
	const char *why = NULL;

	madt_start(&m);
	add_ioapic(&m, 1, 0xfec01000, 24);
	add_ioapic(&m, 0, 0xfec00000, 0);
	add_override(&m, 0, 0, 30, 0);
	KT_ASSERT_OK(t, madt_decode_isa_irq(&m.h, 0, &r, &why));
	KT_EXPECT_EQ(t, r.ioapic, 0xfec01000);
	KT_EXPECT_EQ(t, r.gsi - r.gsi_base, 6);
	KT_ASSERT_OK(t, madt_decode_isa_irq(&m.h, 4, &r, &why));
	KT_EXPECT_EQ(t, r.ioapic, 0xfec00000);
	KT_EXPECT_EQ(t, r.gsi, 4);
}

static void madt_refusals(struct kt *t)
{
	struct madt_img m;
	struct madt_irq r;
	const char *why = NULL;

	/* No I/O APIC at or below the GSI. */
	madt_start(&m);
	add_ioapic(&m, 1, 0xfec01000, 24);
	KT_EXPECT_ERRNO(t, madt_decode_isa_irq(&m.h, 0, &r, &why), ENOENT);
	KT_EXPECT(t, why && strcmp(why, "no I/O APIC in the MADT serves the "
				       "interrupt") == 0);
	/* An entry of length 0 would loop for ever; one past the end. */
	madt_start(&m);
	add_ioapic(&m, 0, 0xfec00000, 0);
	m.entries[1] = 0;
	KT_EXPECT_ERRNO(t, madt_decode_isa_irq(&m.h, 0, &r, &why), EINVAL);
	KT_EXPECT(t, why && strcmp(why, "an MADT entry's length is wrong") ==
				    0);
	m.entries[1] = 13;
	KT_EXPECT_ERRNO(t, madt_decode_isa_irq(&m.h, 0, &r, &why), EINVAL);
	/* Shorter than its fixed fields. */
	madt_start(&m);
	m.h.length = sizeof(m.h);
	KT_EXPECT_ERRNO(t, madt_decode_isa_irq(&m.h, 0, &r, &why), EINVAL);
	/* No RSDP at all. */
	KT_EXPECT_ERRNO(t, madt_isa_irq(NULL, 0, &r, &why), ENOENT);
}

static const struct kt_case madt_cases[] = {
	KT_CASE(madt_identity_without_override),
	KT_CASE(madt_override_gsi_and_polarity),
	KT_CASE(madt_picks_the_ioapic_of_the_gsi),
	KT_CASE(madt_refusals),
};

const struct kt_suite madt_suite = KT_SUITE("madt", madt_cases);
