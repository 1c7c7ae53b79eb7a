// SPDX-License-Identifier: MIT
/*
 * hv/npt.c - the page-table engine (see hv/npt.h).
 *
 * Every update (map, protect, zap) is one walk over the range, run twice.
 * The first pass only counts the table pages the update will need: where a
 * table does not exist yet it reads "virtual" entries, derived from the
 * entry the table would replace (all empty, or the pieces of a huge leaf).
 * The pages are then taken from the pool into a reserve; if that fails they
 * go back and nothing has changed. The second pass makes the changes and
 * draws on the reserve, which it uses up exactly.
 *
 * All entry writes go through set_entry(), which keeps the counts, frees
 * the tables an entry stops pointing to and decides whether a flush is owed.
 */
#define CHECK_PREFIX "npt_check"

#include "hv/npt.h"
#include "hv/base/check.h"
#include "lib/console.h"
#include "lib/errno.h"

/* x86-64 long-mode paging entry bits (AMD APM vol. 2, 5.3 and 15.25). */
#define X86_P BIT(0)
#define X86_RW BIT(1)
#define X86_US BIT(2)
#define X86_PWT BIT(3)
#define X86_PCD BIT(4)
#define X86_A BIT(5)
#define X86_D BIT(6)
#define X86_PS BIT(7)
#define X86_NX BIT(63)
/* EPT entry bits (Intel SDM vol. 3C, "The EPT Translation Mechanism"). */
#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)
#define EPT_MT_MASK (7ULL << 3)
#define EPT_MT_UC (0ULL << 3)
#define EPT_MT_WB (6ULL << 3)
#define EPT_IPAT BIT(6)
#define EPT_PS BIT(7)
#define EPT_A BIT(8)
#define EPT_D BIT(9)
/* Each table is one page of NPT_ENTRIES 8-byte entries. */
#define INDEX_BITS 9
/* Ignored by the hardware in every entry of all three formats. */
#define SW_BIT11 BIT(11)

#define X86_4LEVEL                                                        \
	{                                                                 \
		{ 39, false }, { 30, true }, { 21, true }, { 12, true }   \
	}

/*
 * x86 memory types with the PAT bit clear: the PAT index is PCD:PWT, and
 * the PAT MSR's power-on value has entry 0 WB and entry 3 UC (Intel SDM
 * vol. 3A, "Page Attribute Table"; AMD APM vol. 2, "Page-Attribute Table
 * Mechanism"). In nested tables the type combines with the guest's own
 * and UC wins (AMD APM vol. 2, "Combining Memory Types").
 */
#define X86_MT_MASK (X86_PWT | X86_PCD)
#define X86_MT                                                            \
	{                                                                 \
		[NPT_MT_WB] = 0, [NPT_MT_UC] = X86_PCD | X86_PWT          \
	}
#define ALL_MT (BIT(NPT_MT_WB) | BIT(NPT_MT_UC))

/*
 * AMD's nested tables are x86-64 long-mode page tables: the two formats
 * below differ only in the US bit and the input width.
 */
#define X86_LONG_MODE                                                     \
	.nr_levels = 4,                                                   \
	.pa_bits = 52,                                                    \
	.level = X86_4LEVEL,                                              \
	.present = X86_P,                                                 \
	.huge = X86_PS,                                                   \
	.prot_set = { X86_P, X86_RW, 0 },                                 \
	.prot_clear = { 0, 0, X86_NX },                                   \
	.prot_ok = NPT_PROT_RWX,                                          \
	.mt_mask = X86_MT_MASK,                                           \
	.mt = X86_MT,                                                     \
	.mt_ok = ALL_MT,                                                  \
	.hw_bits = X86_A | X86_D,                                         \
	.sw_bit = SW_BIT11

/*
 * Nested walks count as user accesses, so US is set in every entry, tables
 * included; leaves are hpa|P|RW|US, a 2 MiB leaf adds PS (hpa|0x87) and
 * NX is bit 63 (AMD APM vol. 2 §5.3 long-mode page table entries; nested
 * tables use the same format, §15.25.5).
 */
const struct npt_format npt_format_amd = {
	.name = "amd-npt",
	.va_bits = 48,
	.table = X86_P | X86_RW | X86_US,
	.leaf = X86_US,
	X86_LONG_MODE,
};

/* EPT has no present bit: an entry is present if any of R/W/X is set.
 * Leaves ignore the guest PAT, so their EPT memory type (WB 6, UC 0) is
 * the one used (Intel SDM vol. 3C, "EPT and Memory Typing"). */
const struct npt_format npt_format_ept = {
	.name = "intel-ept",
	.nr_levels = 4,
	.va_bits = 48,
	.pa_bits = 52,
	.level = X86_4LEVEL,
	.present = EPT_R | EPT_W | EPT_X,
	.table = EPT_R | EPT_W | EPT_X,
	.leaf = EPT_IPAT,
	.huge = EPT_PS,
	.prot_set = { EPT_R, EPT_W, EPT_X },
	.prot_clear = { 0, 0, 0 },
	.prot_ok = NPT_PROT_RWX,
	.mt_mask = EPT_MT_MASK,
	.mt = { [NPT_MT_WB] = EPT_MT_WB, [NPT_MT_UC] = EPT_MT_UC },
	.mt_ok = ALL_MT,
	.hw_bits = EPT_A | EPT_D,
	.sw_bit = SW_BIT11,
};

/* Supervisor-only (US clear); only the lower canonical half, so the input
 * width is 47 bits. 1 GiB leaves need CPUID Page1GB. */
const struct npt_format npt_format_host = {
	.name = "x86-host",
	.va_bits = 47,
	.table = X86_P | X86_RW,
	.leaf = 0,
	X86_LONG_MODE,
};

enum npt_op_kind { OP_MAP, OP_PROTECT, OP_ZAP };

struct npt_op {
	enum npt_op_kind kind;
	u64 start, end; /* GPA range */
	phys_addr_t hpa; /* OP_MAP: HPA of start */
	unsigned int prot;
	unsigned int top; /* lowest level index that may get a new leaf */
	bool wide; /* OP_ZAP: drop straddling huge leaves whole */
	bool count; /* the counting pass */
	u64 need; /* table pages the update needs */
};

enum npt_action { ACT_SKIP, ACT_SET, ACT_DESCEND };

/* ------------------------------------------------------ entry helpers */

static u64 lvl_size(const struct npt_format *f, unsigned int l)
{
	return 1ULL << f->level[l].shift;
}

static unsigned int lvl_index(const struct npt_format *f, unsigned int l,
			      u64 gpa)
{
	return (gpa >> f->level[l].shift) & (NPT_ENTRIES - 1);
}

static unsigned int last_level(const struct npt_format *f)
{
	return f->nr_levels - 1u;
}

static u64 addr_mask(const struct npt_format *f)
{
	return (BIT(f->pa_bits) - 1) & ~(u64)(PAGE_SIZE - 1);
}

static phys_addr_t entry_addr(const struct npt_format *f, u64 e)
{
	return (phys_addr_t)(e & addr_mask(f));
}

static bool present(const struct npt_format *f, u64 e)
{
	return e & f->present;
}

static bool is_leaf(const struct npt_format *f, unsigned int l, u64 e)
{
	return l == last_level(f) || (e & f->huge);
}

static u64 *table_of(const struct npt_format *f, u64 e)
{
	return (u64 *)entry_addr(f, e);
}

/* The leaf bits for prot, which check_prot() accepted. */
static u64 prot_bits(const struct npt_format *f, unsigned int prot)
{
	u64 bits = f->mt[npt_prot_mt(prot)];

	for (unsigned int i = 0; i < NPT_NR_PROT; i++)
		bits |= prot & (1u << i) ? f->prot_set[i] : f->prot_clear[i];
	return bits;
}

/* The memory type of leaf e, or NPT_NR_MT when its bits name none. */
static unsigned int entry_mt(const struct npt_format *f, u64 e)
{
	for (unsigned int mt = 0; mt < NPT_NR_MT; mt++)
		if ((f->mt_ok & BIT(mt)) && (e & f->mt_mask) == f->mt[mt])
			return mt;
	return NPT_NR_MT;
}

static unsigned int entry_prot(const struct npt_format *f, u64 e)
{
	unsigned int prot = 0;

	for (unsigned int i = 0; i < NPT_NR_PROT; i++)
		if ((e & f->prot_set[i]) == f->prot_set[i] &&
		    !(e & f->prot_clear[i]))
			prot |= 1u << i;
	return (prot & f->prot_ok) | NPT_PROT_MT(entry_mt(f, e));
}

static u64 make_leaf(const struct npt_format *f, unsigned int l,
		     phys_addr_t hpa, unsigned int prot)
{
	return hpa | f->leaf | prot_bits(f, prot) |
	       (l < last_level(f) ? f->huge : 0);
}

/* Leaf e with its rights and memory type replaced by prot; accessed and
 * dirty are kept. */
static u64 with_prot(const struct npt_format *f, u64 e, unsigned int prot)
{
	u64 all = f->mt_mask;

	for (unsigned int i = 0; i < NPT_NR_PROT; i++)
		all |= f->prot_set[i] | f->prot_clear[i];
	return (e & ~all) | prot_bits(f, prot);
}

/* Same translation and rights, whatever the hardware set. */
static bool same_entry(const struct npt_format *f, u64 a, u64 b)
{
	return !((a ^ b) & ~f->hw_bits);
}

/* Entry i of the table at level l that replaces parent entry e (which is
 * either empty or a huge leaf at level l - 1). */
static u64 split_child(const struct npt_format *f, u64 e, unsigned int l,
		       unsigned int i)
{
	u64 attrs = e & ~addr_mask(f) & ~f->huge;

	if (!present(f, e))
		return 0;
	return (entry_addr(f, e) + i * lvl_size(f, l)) | attrs |
	       (l < last_level(f) ? f->huge : 0);
}

static void write_entry(u64 *slot, u64 e)
{
	*(volatile u64 *)slot = e;
}

/* ---------------------------------------------------- table pages */

static int reserve_fill(struct npt *npt, u64 n)
{
	while (npt->nr_reserve < n) {
		u64 *p = alloc_page(npt->pool, OWN_PGTABLE);

		if (!p)
			return -ENOMEM;
		p[0] = (u64)(phys_addr_t)npt->reserve;
		npt->reserve = p;
		npt->nr_reserve++;
	}
	return 0;
}

static void reserve_drain(struct npt *npt)
{
	while (npt->reserve) {
		u64 *p = npt->reserve;

		npt->reserve = (u64 *)(phys_addr_t)p[0];
		p[0] = 0;
		free_page(npt->pool, p, OWN_PGTABLE);
		npt->nr_reserve--;
	}
}

/* A zeroed table page; the counting pass guaranteed there is one. */
static u64 *reserve_take(struct npt *npt)
{
	u64 *p = npt->reserve;

	BUG_ON(!p);
	npt->reserve = (u64 *)(phys_addr_t)p[0];
	npt->nr_reserve--;
	p[0] = 0;
	npt->stats.table_pages++;
	return p;
}

static void free_table(struct npt *npt, u64 *t, unsigned int l)
{
	const struct npt_format *f = npt->fmt;
	u64 leaves = 0;

	for (unsigned int i = 0; i < NPT_ENTRIES; i++) {
		if (!present(f, t[i]))
			continue;
		if (is_leaf(f, l, t[i]))
			leaves++;
		else
			free_table(npt, table_of(f, t[i]), l + 1);
	}
	npt->stats.leaves[l] -= leaves;
	free_page(npt->pool, t, OWN_PGTABLE);
	npt->stats.table_pages--;
}

/*
 * Does replacing old by new at level l need a TLB flush? Yes when a
 * translation goes away, moves to another HPA, loses a right or changes
 * its memory type, and when a table page is freed (the hardware may cache
 * entries pointing to it); with widen, also when it gains a right.
 * Splitting a leaf into a table of its own pieces changes nothing.
 */
static bool needs_flush(const struct npt_format *f, unsigned int l, u64 old,
			u64 new, bool widen)
{
	unsigned int was, now;

	if (!present(f, old))
		return false;
	if (!present(f, new) || !is_leaf(f, l, old))
		return true;
	if (!is_leaf(f, l, new))
		return false;
	was = entry_prot(f, old);
	now = entry_prot(f, new);
	return entry_addr(f, old) != entry_addr(f, new) ||
	       (was & NPT_PROT_RWX & ~now) ||
	       npt_prot_mt(was) != npt_prot_mt(now) || (widen && was != now);
}

static void set_entry(struct npt *npt, u64 *slot, unsigned int l, u64 new)
{
	const struct npt_format *f = npt->fmt;
	u64 old = *slot;

	write_entry(slot, new);
	if (needs_flush(f, l, old, new, npt->ops && npt->ops->flush_widen))
		npt->flush_owed = true;
	if (present(f, old)) {
		if (is_leaf(f, l, old))
			npt->stats.leaves[l]--;
		else
			free_table(npt, table_of(f, old), l + 1);
	}
	if (present(f, new) && is_leaf(f, l, new))
		npt->stats.leaves[l]++;
}

/*
 * The table under *slot (level l) after an update below it: free it when it
 * is empty, or replace it by one huge leaf when its entries are leaves of
 * one contiguous, aligned run with the same attributes and op allows a leaf
 * at level l.
 */
static void try_merge(struct npt *npt, const struct npt_op *op,
		      unsigned int l, u64 *slot)
{
	const struct npt_format *f = npt->fmt;
	u64 *t = table_of(f, *slot), csize = lvl_size(f, l + 1);
	u64 first = t[0] & ~f->hw_bits, hw = 0;
	phys_addr_t base = entry_addr(f, first);

	if (!present(f, first)) {
		for (unsigned int i = 1; i < NPT_ENTRIES; i++)
			if (t[i])
				return;
		set_entry(npt, slot, l, 0);
		return;
	}
	if (!f->level[l].leaf || l < op->top || !is_leaf(f, l + 1, first) ||
	    !IS_ALIGNED(base, lvl_size(f, l)))
		return;
	/* Entry i must be entry 0 moved on by i pieces. */
	for (unsigned int i = 0; i < NPT_ENTRIES; i++) {
		if ((t[i] & ~f->hw_bits) != first + i * csize)
			return;
		hw |= t[i];
	}
	npt->stats.merges++;
	set_entry(npt, slot, l, first | f->huge | (hw & f->hw_bits));
}

/* ---------------------------------------------------------- the walk */

static enum npt_action decide(const struct npt_format *f,
			      const struct npt_op *op, unsigned int l, u64 e,
			      u64 es, u64 *want)
{
	u64 size = lvl_size(f, l), at = MAX(es, op->start);
	bool full = op->start <= es && es + size <= op->end;
	bool leaf = present(f, e) && is_leaf(f, l, e);
	phys_addr_t hpa = op->hpa + (at - op->start);

	switch (op->kind) {
	case OP_ZAP:
		if (!present(f, e))
			return ACT_SKIP;
		*want = 0;
		return full || (leaf && op->wide) ? ACT_SET : ACT_DESCEND;
	case OP_PROTECT:
		if (!present(f, e))
			return ACT_SKIP;
		if (!leaf)
			/* A covered table needs no page: no need to count. */
			return full && op->count ? ACT_SKIP : ACT_DESCEND;
		*want = with_prot(f, e, op->prot);
		if (same_entry(f, e, *want))
			return ACT_SKIP;
		return full ? ACT_SET : ACT_DESCEND;
	case OP_MAP:
		if (full && l >= op->top && f->level[l].leaf &&
		    IS_ALIGNED(hpa, size)) {
			*want = make_leaf(f, l, hpa, op->prot);
			return same_entry(f, e, *want) ? ACT_SKIP : ACT_SET;
		}
		/* A huge leaf that already maps this part as asked stays. */
		if (leaf && entry_addr(f, e) + (at - es) == hpa &&
		    entry_prot(f, e) == op->prot)
			return ACT_SKIP;
		return ACT_DESCEND;
	}
	return ACT_SKIP;
}

static void walk(struct npt *npt, struct npt_op *op, unsigned int l,
		 u64 *table, u64 parent, u64 base);

/* Apply op to entry i (mapping from es) of table, or of the virtual table
 * derived from parent when table is NULL (counting pass only). */
static void visit(struct npt *npt, struct npt_op *op, unsigned int l,
		  u64 *table, u64 parent, unsigned int i, u64 es)
{
	const struct npt_format *f = npt->fmt;
	u64 e = table ? table[i] : split_child(f, parent, l, i), want = 0;
	u64 *child;

	switch (decide(f, op, l, e, es, &want)) {
	case ACT_SKIP:
		return;
	case ACT_SET:
		if (!op->count)
			set_entry(npt, &table[i], l, want);
		return;
	case ACT_DESCEND:
		break;
	}
	if (present(f, e) && !is_leaf(f, l, e)) {
		walk(npt, op, l + 1, table_of(f, e), 0, es);
		if (!op->count)
			try_merge(npt, op, l, &table[i]);
		return;
	}
	/* A new table: empty, or the pieces of the huge leaf e. */
	if (op->count) {
		op->need++;
		walk(npt, op, l + 1, NULL, e, es);
		return;
	}
	child = reserve_take(npt);
	if (present(f, e)) {
		/* The pieces differ only in their address. */
		u64 first = split_child(f, e, l + 1, 0);

		for (unsigned int j = 0; j < NPT_ENTRIES; j++)
			child[j] = first + j * lvl_size(f, l + 1);
		npt->stats.leaves[l + 1] += NPT_ENTRIES;
		npt->stats.splits++;
	}
	set_entry(npt, &table[i], l, (phys_addr_t)child | f->table);
	walk(npt, op, l + 1, child, 0, es);
	try_merge(npt, op, l, &table[i]);
}

/* The entries of the table at level l, which maps from base, that the
 * range of op touches. */
static void walk(struct npt *npt, struct npt_op *op, unsigned int l,
		 u64 *table, u64 parent, u64 base)
{
	const struct npt_format *f = npt->fmt;
	u64 size = lvl_size(f, l), end = base + NPT_ENTRIES * size;
	u64 es = ALIGN_DOWN(MAX(op->start, base), size);

	for (; es < op->end && es < end; es += size)
		visit(npt, op, l, table, parent, lvl_index(f, l, es), es);
}

static int update(struct npt *npt, struct npt_op *op)
{
	int ret;

	op->count = true;
	op->need = 0;
	walk(npt, op, 0, npt->root, 0, 0);
	ret = reserve_fill(npt, op->need);
	if (ret) {
		reserve_drain(npt);
		return ret;
	}
	op->count = false;
	walk(npt, op, 0, npt->root, 0, 0);
	BUG_ON(npt->nr_reserve);
	return 0;
}

/* ---------------------------------------------------------- the API */

static bool format_ok(const struct npt_format *f)
{
	bool leaf = false;

	if (!f || !f->nr_levels || f->nr_levels > NPT_MAX_LEVELS ||
	    f->level[0].leaf || !f->level[last_level(f)].leaf ||
	    f->level[last_level(f)].shift != PAGE_SHIFT ||
	    f->pa_bits <= PAGE_SHIFT || f->pa_bits > 63 ||
	    f->va_bits > f->level[0].shift + INDEX_BITS ||
	    !(f->prot_ok & NPT_PROT_R) || (f->prot_ok & ~NPT_PROT_RWX) ||
	    !(f->mt_ok & BIT(NPT_MT_WB)) ||
	    f->mt_ok >= BIT(NPT_NR_MT))
		return false;
	for (unsigned int mt = 0; mt < NPT_NR_MT; mt++)
		if (f->mt[mt] & ~f->mt_mask)
			return false;
	for (unsigned int l = 0; l < f->nr_levels; l++) {
		if (l &&
		    f->level[l - 1].shift != f->level[l].shift + INDEX_BITS)
			return false;
		if (leaf && !f->level[l].leaf)
			return false;
		leaf = f->level[l].leaf;
	}
	return true;
}

int npt_init(struct npt *npt, const struct npt_format *fmt,
	     struct page_pool *pool, const struct npt_ops *ops, void *ctx)
{
	if (!format_ok(fmt))
		return -EINVAL;
	*npt = (struct npt){ .fmt = fmt, .pool = pool, .ops = ops,
			     .ctx = ctx };
	npt->root = alloc_page(pool, OWN_PGTABLE);
	if (!npt->root)
		return -ENOMEM;
	npt->stats.table_pages = 1;
	return 0;
}

void npt_destroy(struct npt *npt)
{
	if (!npt->root)
		return;
	free_table(npt, npt->root, 0);
	npt->root = NULL;
}

static int check_range(const struct npt *npt, u64 gpa, u64 size)
{
	u64 limit = BIT(npt->fmt->va_bits);

	if (!size || !IS_ALIGNED(gpa | size, PAGE_SIZE) || gpa >= limit ||
	    size > limit - gpa)
		return -EINVAL;
	return 0;
}

static int check_prot(const struct npt *npt, unsigned int prot)
{
	const struct npt_format *f = npt->fmt;
	unsigned int mt = npt_prot_mt(prot);

	if ((prot & ~NPT_PROT_MT(mt) & ~f->prot_ok) ||
	    !(prot & NPT_PROT_R) || mt >= NPT_NR_MT || !(f->mt_ok & BIT(mt)))
		return -EINVAL;
	return 0;
}

/* The level index of the largest leaf of at most 4 KiB << max_order;
 * -EINVAL when max_order is above the format's largest page. */
static int top_level(const struct npt *npt, unsigned int max_order,
		     unsigned int *top)
{
	const struct npt_format *f = npt->fmt;
	bool first = true;

	for (unsigned int l = 0; l < f->nr_levels; l++) {
		unsigned int order = f->level[l].shift - PAGE_SHIFT;

		if (!f->level[l].leaf)
			continue;
		if (first && max_order > order)
			return -EINVAL;
		first = false;
		if (order <= max_order) {
			*top = l;
			return 0;
		}
	}
	return -EINVAL;
}

int npt_map(struct npt *npt, u64 gpa, phys_addr_t hpa, u64 size,
	    unsigned int prot, unsigned int max_order)
{
	struct npt_op op = { .kind = OP_MAP, .start = gpa, .end = gpa + size,
			     .hpa = hpa, .prot = prot };
	u64 hpa_limit = BIT(npt->fmt->pa_bits);

	if (check_range(npt, gpa, size) || check_prot(npt, prot) ||
	    !IS_ALIGNED(hpa, PAGE_SIZE) || hpa >= hpa_limit ||
	    size > hpa_limit - hpa || top_level(npt, max_order, &op.top))
		return -EINVAL;
	return update(npt, &op);
}

int npt_protect(struct npt *npt, u64 gpa, u64 size, unsigned int prot,
		unsigned int max_order)
{
	struct npt_op op = { .kind = OP_PROTECT, .start = gpa,
			     .end = gpa + size, .prot = prot };

	if (check_range(npt, gpa, size) || check_prot(npt, prot) ||
	    top_level(npt, max_order, &op.top))
		return -EINVAL;
	return update(npt, &op);
}

static int zap(struct npt *npt, u64 gpa, u64 size, bool wide)
{
	struct npt_op op = { .kind = OP_ZAP, .start = gpa, .end = gpa + size,
			     .top = npt->fmt->nr_levels, .wide = wide };

	if (check_range(npt, gpa, size))
		return -EINVAL;
	return update(npt, &op);
}

int npt_zap(struct npt *npt, u64 gpa, u64 size)
{
	return zap(npt, gpa, size, false);
}

int npt_zap_wide(struct npt *npt, u64 gpa, u64 size)
{
	return zap(npt, gpa, size, true);
}

int npt_lookup(const struct npt *npt, u64 gpa, struct npt_xlate *out)
{
	const struct npt_format *f = npt->fmt;
	u64 *t = npt->root;

	*out = (struct npt_xlate){ 0 };
	if (gpa >= BIT(f->va_bits))
		return -EINVAL;
	for (unsigned int l = 0; l < f->nr_levels; l++) {
		u64 e = t[lvl_index(f, l, gpa)], size = lvl_size(f, l);

		out->entries[out->depth++] = e;
		if (!present(f, e))
			return -ENOENT;
		if (is_leaf(f, l, e)) {
			out->hpa = entry_addr(f, e) + (gpa & (size - 1));
			out->size = size;
			out->prot = entry_prot(f, e);
			out->level = l;
			return 0;
		}
		t = table_of(f, e);
	}
	return -ENOENT;
}

static int leaves_of(const struct npt *npt, const u64 *t, unsigned int l,
		     u64 base, int (*fn)(void *, const struct npt_leaf *),
		     void *arg)
{
	const struct npt_format *f = npt->fmt;
	u64 size = lvl_size(f, l);

	for (unsigned int i = 0; i < NPT_ENTRIES; i++) {
		u64 e = t[i];
		struct npt_leaf leaf;
		int ret;

		if (!present(f, e))
			continue;
		if (!is_leaf(f, l, e)) {
			ret = leaves_of(npt, table_of(f, e), l + 1,
					base + i * size, fn, arg);
		} else {
			leaf = (struct npt_leaf){
				.gpa = base + i * size,
				.hpa = entry_addr(f, e),
				.size = size,
				.prot = entry_prot(f, e),
				.entry = e,
			};
			ret = fn(arg, &leaf);
		}
		if (ret)
			return ret;
	}
	return 0;
}

int npt_for_each_leaf(const struct npt *npt,
		      int (*fn)(void *arg, const struct npt_leaf *leaf),
		      void *arg)
{
	return leaves_of(npt, npt->root, 0, 0, fn, arg);
}

void npt_flush_ack(struct npt *npt)
{
	npt->flush_owed = false;
}

void npt_flush(struct npt *npt)
{
	if (!npt->flush_owed)
		return;
	if (npt->ops && npt->ops->flush)
		npt->ops->flush(npt);
	npt->stats.flushes++;
	npt->flush_owed = false;
}

void npt_set_audit(struct npt *npt, bool on)
{
	npt->audit = on;
}

int npt_vmentry_check(const struct npt *npt)
{
	return npt->audit && npt->flush_owed ? -EIO : 0;
}

/* ---------------------------------------------------------- checking */

struct npt_census {
	u64 tables;
	u64 leaves[NPT_MAX_LEVELS];
};

static int check_entry(const struct npt_format *f, unsigned int l, u64 e,
		       u64 gpa)
{
	u64 amask = addr_mask(f);
	unsigned int prot;

	if (!present(f, e)) {
		CHECK(!e,
		      "%s: gpa 0x%llx level %u: junk 0x%llx in an empty entry",
		      f->name, (unsigned long long)gpa, l,
		      (unsigned long long)e);
		return 0;
	}
	if (!is_leaf(f, l, e)) {
		CHECK((e & ~amask & ~f->hw_bits) == f->table &&
			      entry_addr(f, e),
		      "%s: gpa 0x%llx level %u: bad table entry 0x%llx",
		      f->name, (unsigned long long)gpa, l,
		      (unsigned long long)e);
		return 0;
	}
	prot = entry_prot(f, e);
	CHECK(f->level[l].leaf &&
		      IS_ALIGNED(entry_addr(f, e), lvl_size(f, l)) &&
		      (prot & NPT_PROT_R) && npt_prot_mt(prot) < NPT_NR_MT &&
		      same_entry(f, e, make_leaf(f, l, entry_addr(f, e), prot)),
	      "%s: gpa 0x%llx level %u: bad leaf 0x%llx", f->name,
	      (unsigned long long)gpa, l, (unsigned long long)e);
	return 0;
}

/* Check the table t at level l, marking it (and its subtables) visited. */
static int check_table(const struct npt_format *f, u64 *t, unsigned int l,
		       u64 base, struct npt_census *c)
{
	u64 size = lvl_size(f, l);
	bool empty = true;
	int ret;

	CHECK(!(t[0] & f->sw_bit),
	      "%s: table 0x%llx (level %u) reachable twice", f->name,
	      (unsigned long long)(phys_addr_t)t, l);
	for (unsigned int i = 0; i < NPT_ENTRIES; i++) {
		ret = check_entry(f, l, t[i], base + i * size);
		if (ret)
			return ret;
		if (t[i])
			empty = false;
		if (present(f, t[i]) && is_leaf(f, l, t[i]))
			c->leaves[l]++;
	}
	CHECK(!l || !empty, "%s: empty table 0x%llx at level %u", f->name,
	      (unsigned long long)(phys_addr_t)t, l);
	c->tables++;
	t[0] |= f->sw_bit;
	for (unsigned int i = 0; i < NPT_ENTRIES; i++) {
		u64 e = t[i] & ~(i ? 0 : f->sw_bit);

		if (!present(f, e) || is_leaf(f, l, e))
			continue;
		ret = check_table(f, table_of(f, e), l + 1, base + i * size,
				  c);
		if (ret)
			return ret;
	}
	return 0;
}

static void unmark(const struct npt_format *f, u64 *t, unsigned int l)
{
	if (!(t[0] & f->sw_bit))
		return;
	t[0] &= ~f->sw_bit;
	for (unsigned int i = 0; i < NPT_ENTRIES; i++)
		if (present(f, t[i]) && !is_leaf(f, l, t[i]))
			unmark(f, table_of(f, t[i]), l + 1);
}

int npt_check(struct npt *npt)
{
	const struct npt_format *f = npt->fmt;
	struct npt_census c = { 0 };
	int ret;

	CHECK(!npt->nr_reserve, "%s: %llu reserve pages left", f->name,
	      (unsigned long long)npt->nr_reserve);
	ret = check_table(f, npt->root, 0, 0, &c);
	unmark(f, npt->root, 0);
	if (ret)
		return ret;
	CHECK(c.tables == npt->stats.table_pages,
	      "%s: %llu table pages reachable, %llu counted", f->name,
	      (unsigned long long)c.tables,
	      (unsigned long long)npt->stats.table_pages);
	for (unsigned int l = 0; l < f->nr_levels; l++)
		CHECK(c.leaves[l] == npt->stats.leaves[l],
		      "%s: level %u: %llu leaves, %llu counted", f->name, l,
		      (unsigned long long)c.leaves[l],
		      (unsigned long long)npt->stats.leaves[l]);
	return 0;
}
