// SPDX-License-Identifier: MIT
/*
 * tests/payload/paging_test.c - boot.paging: the payload's page tables
 * enforce what boot/addrspace.h promises (W^X, NX data, read-only code
 * and constants, guard page, NULL page), map every memory-map range to
 * itself, and paging_map/paging_unmap behave at the edges.
 */
#include "boot/addrspace.h"
#include "boot/exception.h"
#include "boot/memmap.h"
#include "boot/paging.h"
#include "boot/pe.h"
#include "hv/alloc.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/payload/boot_tests.h"

/* Upper-half addresses nothing else maps, for aliases of physical pages. */
#define ALIAS_VA 0xffff800000000000ULL
#define RET_OPCODE 0xc3
#define MAX_SECTIONS 16

/* The image's DOS header; lld-link defines the symbol. */
extern const u8 __ImageBase[];

static const u64 ro_word = 0x600d;
static u8 data_ret[16] = { RET_OPCODE };

struct access {
	u64 addr;
	u64 val;
};

static void read_at(void *arg)
{
	struct access *a = arg;

	a->val = *(volatile u64 *)a->addr;
}

static void write_back(void *arg)
{
	struct access *a = arg;

	*(volatile u8 *)a->addr = (u8)a->val;
}

static void call_at(void *arg)
{
	struct access *a = arg;

	((void (*)(void))a->addr)();
}

/* Run fn on a and expect a #PF at a->addr with the given error code. */
static void expect_pf(struct kt *t, void (*fn)(void *), struct access *a,
		      u64 error_code)
{
	struct exc_info info;
	char line[160];

	if (!KT_EXPECT_ERRNO(t, exc_catch(fn, a, &info), EFAULT))
		return;
	exc_describe(&info, line, sizeof(line));
	kt_diag(t, "%s", line);
	KT_EXPECT_EQ(t, info.vector, EXC_PF);
	KT_EXPECT_EQ(t, info.error_code, error_code);
	KT_EXPECT_EQ(t, info.cr2, a->addr);
}

static void paging_rodata_is_read_only(struct kt *t)
{
	struct access a = { .addr = (u64)&ro_word, .val = 0x0d };
	u64 pa, flags, size;

	KT_ASSERT_OK(t, paging_lookup(a.addr, &pa, &flags, &size));
	KT_EXPECT_EQ(t, flags & (PTE_W | PTE_NX), PTE_NX);
	expect_pf(t, write_back, &a, PF_P | PF_W);
	KT_EXPECT_EQ(t, ro_word, 0x600d);
}

static void paging_text_is_not_writable(struct kt *t)
{
	/* Writes back the byte that is there already. */
	struct access a = { .addr = (u64)paging_text_is_not_writable };
	u64 pa, flags, size;

	a.val = *(const u8 *)a.addr;
	KT_ASSERT_OK(t, paging_lookup(a.addr, &pa, &flags, &size));
	KT_EXPECT_EQ(t, flags & (PTE_W | PTE_NX), 0);
	expect_pf(t, write_back, &a, PF_P | PF_W);
}

static void paging_data_is_not_executable(struct kt *t)
{
	struct access a = { .addr = (u64)data_ret };

	expect_pf(t, call_at, &a, PF_P | PF_ID);
}

static void paging_pool_memory_is_not_executable(struct kt *t)
{
	u8 *p = alloc_page(hv_pool, OWN_TEST);
	struct access a = { .addr = (u64)p };

	KT_ASSERT(t, p != NULL);
	p[0] = RET_OPCODE;
	expect_pf(t, call_at, &a, PF_P | PF_ID);
	free_page(hv_pool, p, OWN_TEST);
}

static void paging_stack_guard_is_unmapped(struct kt *t)
{
	struct access a = { .addr = boot_stack.guard + PAGE_SIZE - 8 };
	u64 pa, flags, size;
	u64 here = (u64)&a;

	KT_EXPECT(t, here > a.addr && here < boot_stack.top);
	KT_EXPECT_ERRNO(t, paging_lookup(a.addr, &pa, &flags, &size), ENOENT);
	KT_EXPECT_OK(t, paging_lookup(a.addr + PAGE_SIZE, &pa, &flags, &size));
	expect_pf(t, read_at, &a, 0);
}

static void paging_null_page_is_unmapped(struct kt *t)
{
	struct access a = { .addr = 8 };

	expect_pf(t, read_at, &a, 0);
}

struct leaf_stats {
	u64 wx, exec_bytes, exec_outside, large;
	u64 text_start, text_end;
};

static void count_leaf(void *ctx, u64 va, u64 pa, u64 size, u64 flags)
{
	struct leaf_stats *s = ctx;

	if ((flags & PTE_W) && !(flags & PTE_NX))
		s->wx++;
	if (!(flags & PTE_NX)) {
		s->exec_bytes += size;
		if (va < s->text_start || va + size > s->text_end)
			s->exec_outside++;
	}
	if (size > PAGE_SIZE)
		s->large++;
}

static void paging_w_xor_x_everywhere(struct kt *t)
{
	struct pe_section sec[MAX_SECTIONS];
	struct leaf_stats s = { 0 };
	u64 headers, text_bytes = 0;
	int n = pe_sections((u64)__ImageBase, sec, MAX_SECTIONS, &headers);

	KT_ASSERT(t, n > 0 && n <= MAX_SECTIONS);
	for (int i = 0; i < n; i++) {
		if (!(sec[i].flags & PE_SCN_EXEC))
			continue;
		/* lld-link emits one code section. */
		KT_EXPECT_EQ(t, text_bytes, 0);
		s.text_start = sec[i].start;
		s.text_end = sec[i].start + ALIGN_UP(sec[i].size, PAGE_SIZE);
		text_bytes = s.text_end - s.text_start;
	}
	paging_walk(count_leaf, &s);
	KT_EXPECT_EQ(t, s.wx, 0);
	KT_EXPECT_EQ(t, s.exec_outside, 0);
	KT_EXPECT_EQ(t, s.exec_bytes, text_bytes);
	KT_EXPECT_GE(t, s.large, 1);
}

/* Is va inside a region the payload leaves unmapped on purpose? */
static bool meant_unmapped(u64 va)
{
	return va < PAGE_SIZE ||
	       (va >= boot_stack.guard && va < boot_stack.guard + PAGE_SIZE);
}

static void paging_memmap_is_identity_mapped(struct kt *t)
{
	unsigned int bad = 0;

	for (size_t i = 0; i < memmap_count(); i++) {
		const EFI_MEMORY_DESCRIPTOR *d = memmap_get(i);
		u64 first = d->PhysicalStart;
		u64 last = first + (d->NumberOfPages - 1) * PAGE_SIZE;
		u64 mid = first + ALIGN_DOWN((last - first) / 2, PAGE_SIZE);
		u64 probe[3] = { first, mid, last };

		for (int j = 0; j < 3; j++) {
			u64 pa, flags, size;

			if (meant_unmapped(probe[j]))
				continue;
			if (!KT_EXPECT_OK(t, paging_lookup(probe[j], &pa,
							   &flags, &size)) ||
			    !KT_EXPECT_EQ(t, pa, probe[j]) ||
			    !KT_EXPECT_EQ(t, !!(flags & PTE_PCD),
					  !memmap_is_wb(d)))
				bad++;
		}
		if (bad > 3)
			break; /* enough to see what is wrong */
	}
	KT_EXPECT_EQ(t, bad, 0);
}

/* Map an alias of page pa at ALIAS_VA and compare it with the direct map. */
static bool alias_matches(struct kt *t, u64 pa)
{
	bool same;

	if (!KT_EXPECT_OK(t, paging_map(ALIAS_VA, pa, PAGE_SIZE, PG_RO)))
		return false;
	same = !memcmp((const void *)ALIAS_VA, (const void *)pa, PAGE_SIZE);
	KT_EXPECT_OK(t, paging_unmap(ALIAS_VA, PAGE_SIZE));
	return same;
}

static void paging_direct_map_reads_physical_memory(struct kt *t)
{
	unsigned int checked = 0;

	/* The first page of every RAM range the firmware handed over. */
	for (size_t i = 0; i < memmap_count(); i++) {
		const EFI_MEMORY_DESCRIPTOR *d = memmap_get(i);

		if (!memmap_is_wb(d) || meant_unmapped(d->PhysicalStart) ||
		    d->Type == EfiReservedMemoryType)
			continue;
		KT_EXPECT(t, alias_matches(t, d->PhysicalStart));
		checked++;
	}
	KT_EXPECT_GE(t, checked, 1);
}

static void paging_alias_sees_direct_map_writes(struct kt *t)
{
	volatile u64 *p = alloc_page(hv_pool, OWN_TEST);
	volatile u64 *alias = (volatile u64 *)ALIAS_VA;

	KT_ASSERT(t, p != NULL);
	KT_ASSERT_OK(t, paging_map(ALIAS_VA, (u64)p, PAGE_SIZE, PG_RW));
	p[7] = 0x1122334455667788ULL;
	KT_EXPECT_EQ(t, alias[7], 0x1122334455667788ULL);
	alias[9] = 0xa5a5;
	KT_EXPECT_EQ(t, p[9], 0xa5a5);
	KT_EXPECT_OK(t, paging_unmap(ALIAS_VA, PAGE_SIZE));
	p[7] = p[9] = 0;
	free_page(hv_pool, (void *)p, OWN_TEST);
}

static void paging_split_keeps_neighbours(struct kt *t)
{
	u64 hole = ALIAS_VA + 5 * PAGE_SIZE, next = hole + PAGE_SIZE;
	u8 *block = alloc_pages(hv_pool, 9, OWN_TEST); /* 2 MiB */
	u64 pa, flags, size, base = (u64)block;

	KT_ASSERT(t, block != NULL);
	KT_ASSERT_OK(t, paging_map(ALIAS_VA, base, PG_SIZE_2M, PG_RW));
	KT_EXPECT_OK(t, paging_lookup(hole, &pa, &flags, &size));
	KT_EXPECT_EQ(t, size, PG_SIZE_2M);
	KT_EXPECT_EQ(t, pa, base + 5 * PAGE_SIZE);

	/* Punch one page out of the middle: the 2 MiB page splits. */
	KT_EXPECT_OK(t, paging_unmap(hole, PAGE_SIZE));
	KT_EXPECT_ERRNO(t, paging_lookup(hole, &pa, &flags, &size), ENOENT);
	KT_EXPECT_OK(t, paging_lookup(next, &pa, &flags, &size));
	KT_EXPECT_EQ(t, size, PAGE_SIZE);
	KT_EXPECT_EQ(t, pa, base + 6 * PAGE_SIZE);
	KT_EXPECT_EQ(t, flags, PG_RW);
	KT_EXPECT_OK(t, paging_unmap(ALIAS_VA, PG_SIZE_2M));
	KT_EXPECT_ERRNO(t, paging_lookup(next, &pa, &flags, &size), ENOENT);
	free_pages(hv_pool, block, 9, OWN_TEST);
}

static void paging_bad_arguments(struct kt *t)
{
	u64 pa, flags, size;

	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA + 1, 0x100000, PAGE_SIZE, PG_RW),
			EINVAL);
	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA, 0x100800, PAGE_SIZE, PG_RW),
			EINVAL);
	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA, 0x100000, 0, PG_RW), EINVAL);
	KT_EXPECT_ERRNO(
		t,
		paging_map(0x0000800000000000ULL, 0x100000, PAGE_SIZE, PG_RW),
		EINVAL);
	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA, 1ULL << 52, PAGE_SIZE, PG_RW),
			EINVAL);
	KT_EXPECT_ERRNO(
		t, paging_map(ALIAS_VA, 0x100000, PAGE_SIZE, PG_RW | PTE_US),
		EINVAL);
	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA, 0x100000, PAGE_SIZE, PTE_W),
			EINVAL);
	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA, 0x100000, PAGE_SIZE, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, paging_unmap(ALIAS_VA, 0), EINVAL);
	/* None of these mapped anything. */
	KT_EXPECT_ERRNO(t, paging_lookup(ALIAS_VA, &pa, &flags, &size), ENOENT);
}

static const struct kt_case paging_cases[] = {
	KT_CASE(paging_rodata_is_read_only),
	KT_CASE(paging_text_is_not_writable),
	KT_CASE(paging_data_is_not_executable),
	KT_CASE(paging_pool_memory_is_not_executable),
	KT_CASE(paging_stack_guard_is_unmapped),
	KT_CASE(paging_null_page_is_unmapped),
	KT_CASE(paging_w_xor_x_everywhere),
	KT_CASE(paging_memmap_is_identity_mapped),
	KT_CASE(paging_direct_map_reads_physical_memory),
	KT_CASE(paging_alias_sees_direct_map_writes),
	KT_CASE(paging_split_keeps_neighbours),
	KT_CASE(paging_bad_arguments),
};

const struct kt_suite paging_suite = KT_SUITE("paging", paging_cases);
