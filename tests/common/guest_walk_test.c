// SPDX-License-Identifier: MIT
/*
 * tests/common/guest_walk_test.c - the guest's page walk (hv/x86/
 * guest_walk.h) over hand-built guest tables in a 2 MiB block that stands
 * for guest-physical memory from GPA 0; anything above it reads as
 * unbacked, as a GPA the VM's second-level table does not map.
 */
#include "hv/alloc.h"
#include "hv/x86/guest_walk.h"
#include "lib/errno.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/suites.h"

/*
 * Tables: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. GVA 0 - 2 MiB is
 * GPA 0 - 2 MiB through a 2 MiB page; GVA 0x200000 + 4 KiB * i goes
 * through the PT to pt_gpa[i], scattered on purpose; GVA 1 GiB - 2 GiB is
 * GPA 0 - 1 GiB through a 1 GiB page.
 */
#define PT_GVA 0x200000ULL
static const u64 pt_gpa[] = {0x10000, 0x7000, 0x400000 /* unbacked */};

/* The "second-level table": GPA 0 - 2 MiB is the block at vm. */
static int lookup_ram(const struct arch_vm *vm, u64 gpa, struct arch_xlate *x)
{
	if (gpa >= SZ_2M)
		return -ENOENT;
	x->hpa = (phys_addr_t)vm + gpa;
	x->order = 0;
	x->writable = true;
	return 0;
}

static void put64(u8 *ram, u64 gpa, u64 val)
{
	memcpy(ram + gpa, &val, sizeof(val));
}

static void guest_walk_reads_through_guest_tables(struct kt *t)
{
	static const u8 pvalidate[] = {0xf2, 0x0f, 0x01, 0xff};
	u8 *ram = alloc_pages(hv_pool, 9, OWN_TEST);
	struct guest_mem m = {.cr3 = 0x1000, .lookup = lookup_ram};
	u8 buf[8];
	struct insn in;
	size_t n;

	KT_ASSERT(t, ram != NULL);
	memset(ram, 0, SZ_2M);
	m.vm = (const struct arch_vm *)ram;
	put64(ram, 0x1000, 0x2000 | 7);
	put64(ram, 0x2000, 0x3000 | 7);
	put64(ram, 0x2008, 0x0 | 0x87); /* 1 GiB page at GPA 0 */
	put64(ram, 0x3000, 0x0 | 0x87); /* 2 MiB page at GPA 0 */
	put64(ram, 0x3008, 0x4000 | 7); /* GVA 2 MiB.. through the PT */
	for (size_t i = 0; i < ARRAY_SIZE(pt_gpa); i++)
		put64(ram, 0x4000 + 8 * i, pt_gpa[i] | 7);

	/* 2 MiB and 1 GiB guest pages. */
	memcpy(ram + 0x6000, "gmemvsr", 8);
	KT_EXPECT_OK(t, guest_read_gva(&m, 0x6000, buf, 8));
	KT_EXPECT_STR_EQ(t, (char *)buf, "gmemvsr");
	memset(buf, 0, sizeof(buf));
	KT_EXPECT_OK(t, guest_read_gva(&m, SZ_1G + 0x6000, buf, 8));
	KT_EXPECT_STR_EQ(t, (char *)buf, "gmemvsr");
	/* An instruction split across two scattered 4 KiB guest pages. */
	ram[pt_gpa[0] + 0xffe] = pvalidate[0];
	ram[pt_gpa[0] + 0xfff] = pvalidate[1];
	memcpy(ram + pt_gpa[1], pvalidate + 2, 2);
	KT_EXPECT_OK(t, guest_fetch_insn(&m, PT_GVA + 0xffe, &in, &n));
	KT_EXPECT_EQ(t, in.op, INSN_PVALIDATE);
	KT_EXPECT_EQ(t, in.len, 4);
	/* The fetch stops at a page that cannot be read. */
	memcpy(ram + pt_gpa[1] + 0xffe, pvalidate, 2);
	KT_EXPECT_ERRNO(t, guest_fetch_insn(&m, PT_GVA + 0x1ffe, &in, &n),
			EINVAL);
	KT_EXPECT_EQ(t, n, 2);
	KT_EXPECT_ERRNO(t, guest_fetch_insn(&m, PT_GVA + 0x2000, &in, &n),
			EFAULT);
	KT_EXPECT_ERRNO(t, guest_read_gva(&m, PT_GVA + 0x2000, buf, 1), EFAULT);
	/* Not present in the guest's tables, and non-canonical. */
	KT_EXPECT_ERRNO(t, guest_read_gva(&m, PT_GVA + 0x3000, buf, 1), EFAULT);
	KT_EXPECT_ERRNO(t, guest_read_gva(&m, 0x0000800000000000ULL, buf, 1),
			EFAULT);
	/* Non-canonical even where the walk (bits 47:0) would find GVA
	 * 0x6000's page. */
	KT_EXPECT_ERRNO(t, guest_read_gva(&m, 0x0001000000006000ULL, buf, 1),
			EFAULT);
	KT_EXPECT_ERRNO(t, guest_read_gva(&m, 0xffff000000006000ULL, buf, 1),
			EFAULT);
	free_pages(hv_pool, ram, 9, OWN_TEST);
}

static const struct kt_case guest_walk_cases[] = {
	KT_CASE(guest_walk_reads_through_guest_tables),
};

const struct kt_suite guest_walk_suite =
	KT_SUITE("guest_walk", guest_walk_cases);
