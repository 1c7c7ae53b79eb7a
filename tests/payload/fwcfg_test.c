// SPDX-License-Identifier: MIT
/*
 * tests/payload/fwcfg_test.c - boot.fwcfg: reading QEMU's fw_cfg files.
 * The memory map QEMU publishes there (etc/e820) must agree with the one
 * the firmware gave the payload: the pool lies in RAM by both accounts.
 */
#include "boot/fwcfg.h"
#include "hv/alloc.h"
#include "lib/ktap.h"
#include "tests/payload/boot_tests.h"

#define E820_RAM 1

struct e820_entry {
	u64 addr, len;
	u32 type;
} __attribute__((packed));

static const char *no_fwcfg(struct kt *t)
{
	return fwcfg_present() ? NULL : "no QEMU fw_cfg device";
}

static void fwcfg_e820_covers_pool(struct kt *t)
{
	static struct e820_entry e[128];
	size_t size;
	unsigned int covered = 0;

	KT_ASSERT_OK(t, fwcfg_read_file("etc/e820", e, sizeof(e), &size));
	KT_EXPECT_GE(t, size, sizeof(e[0]));
	KT_EXPECT_EQ(t, size % sizeof(e[0]), 0);
	for (unsigned int r = 0; r < hv_pool->nr_regions; r++) {
		u64 start = (u64)hv_pool->regions[r].meta;
		u64 end = hv_pool->regions[r].base +
			  hv_pool->regions[r].pages * PAGE_SIZE;

		for (size_t i = 0; i < size / sizeof(e[0]); i++)
			if (e[i].type == E820_RAM && start >= e[i].addr &&
			    end <= e[i].addr + e[i].len) {
				covered++;
				break;
			}
	}
	KT_EXPECT_EQ(t, covered, hv_pool->nr_regions);
}

static void fwcfg_missing_file(struct kt *t)
{
	char buf[8];
	size_t size = 0;

	KT_EXPECT_ERRNO(t,
			fwcfg_read_file("opt/gmemvisor/no-such-file", buf,
					sizeof(buf), &size),
			ENOENT);
}

static void fwcfg_buffer_too_small(struct kt *t)
{
	char buf[4];
	size_t size = 0;

	KT_EXPECT_ERRNO(t, fwcfg_read_file("etc/e820", buf, sizeof(buf), &size),
			E2BIG);
	KT_EXPECT_GE(t, size, sizeof(struct e820_entry));
}

static const struct kt_case fwcfg_cases[] = {
	KT_CASE_IF(fwcfg_e820_covers_pool, no_fwcfg),
	KT_CASE_IF(fwcfg_missing_file, no_fwcfg),
	KT_CASE_IF(fwcfg_buffer_too_small, no_fwcfg),
};

const struct kt_suite fwcfg_suite = KT_SUITE("fwcfg", fwcfg_cases);
