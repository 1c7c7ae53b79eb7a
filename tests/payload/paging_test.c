// SPDX-License-Identifier: MIT
/*
 * tests/payload/paging_test.c - boot.paging: the payload's page tables
 * enforce what boot/addrspace.h promises (W^X, NX data, read-only code
 * and constants, guard page, NULL page), map every memory-map range to
 * itself with its cache type, pass npt_check(), use 1 GiB pages only
 * where the CPU has them, and paging_map/paging_unmap behave at the edges.
 */
#include "boot/addrspace.h"
#include "boot/cpu.h"
#include "boot/exception.h"
#include "boot/memmap.h"
#include "boot/paging.h"
#include "boot/pe.h"
#include "hv/alloc.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/payload/boot_tests.h"

/* The last 512 GiB of the lower half: far above any RAM or MMIO here,
 * mapped by nothing else, for aliases of physical pages. */
#define ALIAS_VA 0x00007f8000000000ULL
#define RET_OPCODE 0xc3
#define MAX_SECTIONS 16
#define PROT_RW (NPT_PROT_R | NPT_PROT_W)
/* PAT MSR types (Intel SDM vol. 3A, "Page Attribute Table"). */
#define PAT_UC 0x00
#define PAT_WB 0x06
/* Local APIC (Intel SDM vol. 3A, "Local APIC"): base MSR, x2APIC-mode bit,
 * version register; integrated APICs have versions 0x10-0x1f. */
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_X2APIC BIT(10)
#define APIC_VERSION 0x30

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

static int lookup(u64 va, struct npt_xlate *x)
{
	return npt_lookup(paging_tables(), va, x);
}

static void paging_rodata_is_read_only(struct kt *t)
{
	struct access a = { .addr = (u64)&ro_word, .val = 0x0d };
	struct npt_xlate x;

	KT_ASSERT_OK(t, lookup(a.addr, &x));
	KT_EXPECT_EQ(t, x.prot, NPT_PROT_R);
	expect_pf(t, write_back, &a, PF_P | PF_W);
	KT_EXPECT_EQ(t, ro_word, 0x600d);
}

static void paging_text_is_not_writable(struct kt *t)
{
	/* Writes back the byte that is there already. */
	struct access a = { .addr = (u64)paging_text_is_not_writable };
	struct npt_xlate x;

	a.val = *(const u8 *)a.addr;
	KT_ASSERT_OK(t, lookup(a.addr, &x));
	KT_EXPECT_EQ(t, x.prot, NPT_PROT_R | NPT_PROT_X);
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
	struct npt_xlate x;
	u64 here = (u64)&a;

	KT_EXPECT(t, here > a.addr && here < boot_stack.top);
	KT_EXPECT_ERRNO(t, lookup(a.addr, &x), ENOENT);
	KT_EXPECT_OK(t, lookup(a.addr + PAGE_SIZE, &x));
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

static int count_leaf(void *arg, const struct npt_leaf *leaf)
{
	struct leaf_stats *s = arg;

	if ((leaf->prot & NPT_PROT_W) && (leaf->prot & NPT_PROT_X))
		s->wx++;
	if (leaf->prot & NPT_PROT_X) {
		s->exec_bytes += leaf->size;
		if (leaf->gpa < s->text_start ||
		    leaf->gpa + leaf->size > s->text_end)
			s->exec_outside++;
	}
	if (leaf->size > PAGE_SIZE)
		s->large++;
	return 0;
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
	KT_EXPECT_OK(t, npt_for_each_leaf(paging_tables(), count_leaf, &s));
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
			struct npt_xlate x;

			if (meant_unmapped(probe[j]))
				continue;
			if (!KT_EXPECT_OK(t, lookup(probe[j], &x)) ||
			    !KT_EXPECT_EQ(t, x.hpa, probe[j]) ||
			    !KT_EXPECT_EQ(t, npt_prot_mt(x.prot),
					  memmap_is_wb(d) ? NPT_MT_WB :
							    NPT_MT_UC))
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

	if (!KT_EXPECT_OK(t, paging_map(ALIAS_VA, pa, PAGE_SIZE, NPT_PROT_R)))
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
	KT_ASSERT_OK(t, paging_map(ALIAS_VA, (u64)p, PAGE_SIZE, PROT_RW));
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
	u8 *block = alloc_pages(hv_pool, NPT_ORDER_2M, OWN_TEST);
	u64 base = (u64)block;
	struct npt_xlate x;

	KT_ASSERT(t, block != NULL);
	KT_ASSERT_OK(t, paging_map(ALIAS_VA, base, SZ_2M, PROT_RW));
	KT_EXPECT_OK(t, lookup(hole, &x));
	KT_EXPECT_EQ(t, x.size, SZ_2M);
	KT_EXPECT_EQ(t, x.hpa, base + 5 * PAGE_SIZE);

	/* Punch one page out of the middle: the 2 MiB page splits. */
	KT_EXPECT_OK(t, paging_unmap(hole, PAGE_SIZE));
	KT_EXPECT_ERRNO(t, lookup(hole, &x), ENOENT);
	KT_EXPECT_OK(t, lookup(next, &x));
	KT_EXPECT_EQ(t, x.size, PAGE_SIZE);
	KT_EXPECT_EQ(t, x.hpa, base + 6 * PAGE_SIZE);
	KT_EXPECT_EQ(t, x.prot, PROT_RW);
	/* The write goes through the new 4 KiB translation. */
	*(volatile u8 *)next = 0x5a;
	KT_EXPECT_EQ(t, block[6 * PAGE_SIZE], 0x5a);
	/* Filling the hole makes the table uniform: one 2 MiB page again. */
	KT_EXPECT_OK(t, paging_map(hole, base + 5 * PAGE_SIZE, PAGE_SIZE,
				   PROT_RW));
	KT_EXPECT_OK(t, lookup(next, &x));
	KT_EXPECT_EQ(t, x.size, SZ_2M);
	KT_EXPECT_OK(t, paging_unmap(ALIAS_VA, SZ_2M));
	KT_EXPECT_ERRNO(t, lookup(next, &x), ENOENT);
	free_pages(hv_pool, block, NPT_ORDER_2M, OWN_TEST);
}

static void paging_bad_arguments(struct kt *t)
{
	u64 pages = paging_tables()->stats.table_pages;
	struct npt_xlate x;

	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA + 1, 0x100000, PAGE_SIZE,
				      PROT_RW), EINVAL);
	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA, 0x100800, PAGE_SIZE, PROT_RW),
			EINVAL);
	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA, 0x100000, 0, PROT_RW), EINVAL);
	/* The upper half, and the first address past the lower one. */
	KT_EXPECT_ERRNO(t, paging_map(0xffff800000000000ULL, 0x100000,
				      PAGE_SIZE, PROT_RW), EINVAL);
	KT_EXPECT_ERRNO(t, paging_map(0x0000800000000000ULL, 0x100000,
				      PAGE_SIZE, PROT_RW), EINVAL);
	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA, 1ULL << 52, PAGE_SIZE, PROT_RW),
			EINVAL);
	/* Rights: none, write without read, a bit that is no right, a
	 * memory type the format does not know. */
	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA, 0x100000, PAGE_SIZE, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA, 0x100000, PAGE_SIZE,
				      NPT_PROT_W), EINVAL);
	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA, 0x100000, PAGE_SIZE,
				      PROT_RW | 0x8), EINVAL);
	KT_EXPECT_ERRNO(t, paging_map(ALIAS_VA, 0x100000, PAGE_SIZE,
				      PROT_RW | NPT_PROT_MT(NPT_NR_MT)),
			EINVAL);
	KT_EXPECT_ERRNO(t, paging_unmap(ALIAS_VA, 0), EINVAL);
	KT_EXPECT_ERRNO(t, paging_unmap(0xffff800000000000ULL, PAGE_SIZE),
			EINVAL);
	/* None of these mapped anything or took a table page. */
	KT_EXPECT_ERRNO(t, lookup(ALIAS_VA, &x), ENOENT);
	KT_EXPECT_EQ(t, paging_tables()->stats.table_pages, pages);
}

/* Out of table pages, a map changes nothing; with them, it maps. */
static void paging_map_is_all_or_nothing(struct kt *t)
{
	u64 pages = paging_tables()->stats.table_pages;
	u64 owned = alloc_owned_pages(hv_pool, OWN_PGTABLE);
	u64 va = ALIAS_VA + SZ_2M - PAGE_SIZE; /* needs two last-level tables */
	unsigned int failures = 0;
	struct npt_xlate x;
	int ret;

	for (u64 n = 1;; n++) {
		alloc_fail_nth(hv_pool, n);
		ret = paging_map(va, 0x100000, 2 * PAGE_SIZE, NPT_PROT_R);
		alloc_fail_nth(hv_pool, 0);
		if (ret != -ENOMEM)
			break;
		failures++;
		KT_EXPECT_ERRNO(t, lookup(va, &x), ENOENT);
		KT_EXPECT_ERRNO(t, lookup(va + PAGE_SIZE, &x), ENOENT);
		KT_EXPECT_EQ(t, paging_tables()->stats.table_pages, pages);
		KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_PGTABLE), owned);
	}
	KT_EXPECT_OK(t, ret);
	/* Up to a PDPT, a PD and two PTs, each a possible failure. */
	KT_EXPECT_GE(t, failures, 2);
	KT_EXPECT_OK(t, lookup(va + PAGE_SIZE, &x));
	KT_EXPECT_EQ(t, x.hpa, 0x101000);
	KT_EXPECT_OK(t, paging_unmap(va, 2 * PAGE_SIZE));
	KT_EXPECT_EQ(t, paging_tables()->stats.table_pages, pages);
}

/* The live tables pass the engine's full consistency check. */
static void paging_tables_are_sound(struct kt *t)
{
	struct npt *pt = paging_tables();

	KT_EXPECT_OK(t, npt_check(pt));
	KT_EXPECT_EQ(t, npt_root_pa(pt), read_cr3() & ~(u64)(PAGE_SIZE - 1));
	KT_EXPECT(t, !npt_flush_owed(pt));
	KT_EXPECT_GE(t, pt->stats.leaves[2], 1); /* 2 MiB pages */
}

/* A 1 GiB aligned range gets one 1 GiB page only if CPUID has Page1GB. */
static void paging_1g_pages_follow_cpuid(struct kt *t)
{
	bool gb = cpu_has_page1gb();
	struct npt_xlate x;

	kt_diag(t, "CPUID Page1GB: %s", gb ? "yes" : "no");
	KT_ASSERT_OK(t, paging_map(ALIAS_VA, 0, SZ_1G, NPT_PROT_R));
	KT_EXPECT_OK(t, lookup(ALIAS_VA + SZ_1G - 8, &x));
	KT_EXPECT_EQ(t, x.hpa, SZ_1G - 8);
	KT_EXPECT_EQ(t, x.size, gb ? SZ_1G : SZ_2M);
	KT_EXPECT_OK(t, paging_unmap(ALIAS_VA, SZ_1G));
	KT_EXPECT_ERRNO(t, lookup(ALIAS_VA, &x), ENOENT);
	if (!gb)
		KT_EXPECT_EQ(t, paging_tables()->stats.leaves[1], 0);
}

/* The host format's memory types hold: PAT entry 0 is WB, entry 3 UC. */
static void paging_pat_gives_wb_and_uc(struct kt *t)
{
	u64 pat = rdmsr(MSR_PAT);

	KT_EXPECT_EQ(t, pat & 0xff, PAT_WB);
	KT_EXPECT_EQ(t, pat >> 24 & 0xff, PAT_UC);
}

static const char *no_xapic_mmio(struct kt *t)
{
	return rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC ?
		       "the local APIC is in x2APIC mode: no MMIO" :
		       NULL;
}

/* An uncached MMIO mapping made after boot reaches the device. */
static void paging_mmio_map_reaches_the_apic(struct kt *t)
{
	u64 base = rdmsr(MSR_APIC_BASE) & ~(u64)(PAGE_SIZE - 1) &
		   (BIT(52) - 1);
	struct npt_xlate x;
	u32 version;

	KT_ASSERT_OK(t, paging_map(ALIAS_VA, base, PAGE_SIZE,
				   PROT_RW | NPT_PROT_UC));
	KT_EXPECT_OK(t, lookup(ALIAS_VA, &x));
	KT_EXPECT_EQ(t, x.prot, PROT_RW | NPT_PROT_UC);
	version = *(volatile u32 *)(ALIAS_VA + APIC_VERSION);
	kt_diag(t, "local APIC at 0x%llx, version register 0x%x",
		(unsigned long long)base, version);
	KT_EXPECT_GE(t, version & 0xff, 0x10);
	KT_EXPECT_LE(t, version & 0xff, 0x1f);
	KT_EXPECT_OK(t, paging_unmap(ALIAS_VA, PAGE_SIZE));
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
	KT_CASE(paging_map_is_all_or_nothing),
	KT_CASE(paging_tables_are_sound),
	KT_CASE(paging_1g_pages_follow_cpuid),
	KT_CASE(paging_pat_gives_wb_and_uc),
	KT_CASE_IF(paging_mmio_map_reaches_the_apic, no_xapic_mmio),
};

const struct kt_suite paging_suite = KT_SUITE("paging", paging_cases);
