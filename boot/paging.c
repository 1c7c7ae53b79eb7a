// SPDX-License-Identifier: MIT
/*
 * boot/paging.c - the payload's 4-level page tables (see boot/paging.h).
 * Levels are numbered from the leaf: 0 = PT (4 KiB), 1 = PD (2 MiB),
 * 2 = PDPT (1 GiB), 3 = PML4. Entries above a leaf are P|W without NX, so
 * the leaf alone decides the access rights.
 */
#include "boot/paging.h"
#include "boot/cpu.h"
#include "hv/alloc.h"
#include "lib/errno.h"

#define LEVELS 4
#define ENTRIES 512
#define TABLE_FLAGS (PTE_P | PTE_W)
#define LEAF_FLAGS (PTE_P | PTE_W | PTE_PWT | PTE_PCD | PTE_NX)
#define CPUID_PAGE1GB BIT(26) /* CPUID 0x80000001 EDX */
#define PA_LIMIT (1ULL << 52) /* architectural maximum */

static u64 *root;
static bool gbpages, live;
static u64 table_pages;

static unsigned int shift_of(int level)
{
	return PAGE_SHIFT + 9 * (unsigned int)level;
}

static u64 size_of(int level)
{
	return 1ULL << shift_of(level);
}

static unsigned int index_of(u64 va, int level)
{
	return (va >> shift_of(level)) & (ENTRIES - 1);
}

static u64 *table_at(u64 entry)
{
	return (u64 *)(entry & PTE_ADDR);
}

static bool is_leaf(u64 entry, int level)
{
	return level == 0 || (entry & PTE_PS);
}

static u64 *new_table(void)
{
	u64 *t = alloc_page(hv_pool, OWN_PGTABLE);

	if (t)
		table_pages++;
	return t;
}

static void free_tree(u64 *t, int level)
{
	for (int i = 0; level > 0 && i < ENTRIES; i++)
		if ((t[i] & PTE_P) && !is_leaf(t[i], level))
			free_tree(table_at(t[i]), level - 1);
	free_page(hv_pool, t, OWN_PGTABLE);
	table_pages--;
}

int paging_init(void)
{
	u32 r[4];

	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		gbpages = r[3] & CPUID_PAGE1GB;
	}
	root = new_table();
	return root ? 0 : -ENOMEM;
}

/* Replace the large leaf *e at level by a table of next-smaller leaves
 * with the same rights. */
static int split(u64 *e, int level)
{
	u64 *t = new_table();
	u64 base = *e & PTE_ADDR, flags = *e & LEAF_FLAGS;

	if (!t)
		return -ENOMEM;
	for (int i = 0; i < ENTRIES; i++)
		t[i] = (base + (u64)i * size_of(level - 1)) | flags |
		       (level - 1 ? PTE_PS : 0);
	*e = (u64)t | TABLE_FLAGS;
	return 0;
}

/* Set the entry for va at leaf level to pa|flags, or clear it when flags
 * is 0, creating or splitting tables on the way. */
static int set_leaf(u64 va, u64 pa, int leaf, u64 flags)
{
	u64 *t = root, *e;
	int ret;

	for (int level = LEVELS - 1; level > leaf; level--) {
		e = &t[index_of(va, level)];
		if (!(*e & PTE_P)) {
			u64 *n;

			if (!flags)
				return 0;
			n = new_table();
			if (!n)
				return -ENOMEM;
			*e = (u64)n | TABLE_FLAGS;
		} else if (is_leaf(*e, level)) {
			ret = split(e, level);
			if (ret)
				return ret;
		}
		t = table_at(*e);
	}
	e = &t[index_of(va, leaf)];
	if ((*e & PTE_P) && !is_leaf(*e, leaf))
		free_tree(table_at(*e), leaf - 1);
	*e = flags ? pa | flags | (leaf ? PTE_PS : 0) : 0;
	return 0;
}

static bool canonical(u64 va)
{
	return (u64)((s64)(va << 16) >> 16) == va;
}

static int set_range(u64 va, u64 pa, u64 size, u64 flags)
{
	int ret = 0;

	if (!IS_ALIGNED(va | pa | size, PAGE_SIZE) || !size || va + size < va ||
	    !canonical(va) || !canonical(va + size - 1) || pa >= PA_LIMIT ||
	    size > PA_LIMIT - pa || (flags & ~LEAF_FLAGS) ||
	    (flags && !(flags & PTE_P)))
		return -EINVAL;
	while (size && !ret) {
		int leaf = gbpages ? 2 : 1;

		while (leaf && (!IS_ALIGNED(va | pa, size_of(leaf)) ||
				size < size_of(leaf)))
			leaf--;
		ret = set_leaf(va, pa, leaf, flags);
		va += size_of(leaf);
		pa += size_of(leaf);
		size -= size_of(leaf);
	}
	if (live)
		write_cr3(read_cr3());
	return ret;
}

int paging_map(u64 va, u64 pa, u64 size, u64 flags)
{
	return flags ? set_range(va, pa, size, flags) : -EINVAL;
}

int paging_unmap(u64 va, u64 size)
{
	return set_range(va, 0, size, 0);
}

int paging_lookup(u64 va, u64 *pa, u64 *flags, u64 *page_size)
{
	u64 *t = root;

	if (!canonical(va))
		return -ENOENT;
	for (int level = LEVELS - 1; level >= 0; level--) {
		u64 e = t[index_of(va, level)];

		if (!(e & PTE_P))
			return -ENOENT;
		if (is_leaf(e, level)) {
			*page_size = size_of(level);
			*pa = (e & PTE_ADDR & ~(*page_size - 1)) |
			      (va & (*page_size - 1));
			*flags = e & LEAF_FLAGS;
			return 0;
		}
		t = table_at(e);
	}
	return -ENOENT;
}

static void walk(u64 *t, int level, u64 va,
		 void (*fn)(void *, u64, u64, u64, u64), void *ctx)
{
	for (int i = 0; i < ENTRIES; i++) {
		u64 e = t[i], a = va + (u64)i * size_of(level);

		if (level == LEVELS - 1 && i >= ENTRIES / 2)
			a |= 0xffff000000000000ULL; /* upper canonical half */
		if (!(e & PTE_P))
			continue;
		if (is_leaf(e, level))
			fn(ctx, a, e & PTE_ADDR & ~(size_of(level) - 1),
			   size_of(level), e & LEAF_FLAGS);
		else
			walk(table_at(e), level - 1, a, fn, ctx);
	}
}

void paging_walk(void (*fn)(void *ctx, u64 va, u64 pa, u64 size, u64 flags),
		 void *ctx)
{
	walk(root, LEVELS - 1, 0, fn, ctx);
}

void paging_activate(void)
{
	u64 cr4 = read_cr4();

	write_cr3((u64)root);
	/* Toggling PGE also drops the firmware's global translations. */
	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	}
	live = true;
}

u64 paging_table_pages(void)
{
	return table_pages;
}
