/* SPDX-License-Identifier: MIT */
/*
 * hv/npt.h - the page-table engine. Owns every page-table page of a
 * translation table (AMD nested page tables, Intel EPT, or the payload's own
 * x86-64 tables), the entries in them, and the record of whether a TLB
 * flush is owed for changes made to them.
 *
 * A format is data (struct npt_format): the levels, which of them may hold
 * a leaf, the bits an entry carries and how a leaf encodes its rights and
 * memory type. One generic walker serves every format. Tables only hold translations; they never touch the memory they
 * map, so a mapped HPA need not be memory the hypervisor can reach.
 *
 * Every update is all or nothing: the pages it needs are counted and taken
 * from the pool first, so -ENOMEM (or any -EINVAL) leaves the tables exactly
 * as they were. A huge leaf that an update covers only in part is split in
 * place (the rest keeps its translation and protection); a table whose
 * entries become uniform again (contiguous, aligned, same protection) is
 * merged back into one huge leaf, and an empty table is freed.
 *
 * TLB flushes are batched. Each change that removes or narrows a
 * translation, changes its memory type, or frees a table page the hardware
 * may have cached, records that a flush is owed (so does widening rights,
 * for a user that asks: npt_ops.flush_widen); the caller flushes once per
 * operation (npt_flush(), which calls npt_ops.flush, or its own flush
 * followed by npt_flush_ack()).
 *
 * Not thread-safe, and the tables must not be in use by a running guest
 * while they change (the payload runs the hypervisor on one CPU).
 */
#ifndef GMV_HV_NPT_H
#define GMV_HV_NPT_H

#include "hv/alloc.h"
#include "lib/types.h"

#define NPT_MAX_LEVELS 4
#define NPT_ENTRIES 512 /* entries per table page, in every format */

/* Access rights of a mapping. Every format needs NPT_PROT_R: a mapping
 * that cannot be read is not mapped. */
#define NPT_PROT_R 0x1u
#define NPT_PROT_W 0x2u
#define NPT_PROT_X 0x4u
#define NPT_PROT_RWX (NPT_PROT_R | NPT_PROT_W | NPT_PROT_X)
#define NPT_NR_PROT 3

/*
 * The memory type of a mapping rides in prot above the rights, as cache
 * bits ride in Linux's pgprot: prot = rights | NPT_PROT_MT(type).
 * Write-back is type 0, so rights alone mean write-back.
 */
#define NPT_MT_WB 0u
#define NPT_MT_UC 1u /* uncached, for MMIO */
#define NPT_NR_MT 2
#define NPT_MT_SHIFT 4
#define NPT_PROT_MT(mt) ((mt) << NPT_MT_SHIFT)
#define NPT_PROT_UC NPT_PROT_MT(NPT_MT_UC)

static inline unsigned int npt_prot_mt(unsigned int prot)
{
	return prot >> NPT_MT_SHIFT;
}

/* Orders (in 4 KiB pages) of the page sizes the formats know. */
#define NPT_ORDER_4K 0
#define NPT_ORDER_2M 9
#define NPT_ORDER_1G 18

struct npt_level {
	u8 shift; /* log2 of the bytes one entry maps */
	bool leaf; /* may hold a leaf; if so, so may every level below */
};

struct npt_format {
	const char *name;
	u8 nr_levels;
	u8 va_bits; /* width of the input (guest-physical) address */
	u8 pa_bits; /* width of the output address; entry bits pa_bits-1:12 */
	struct npt_level level[NPT_MAX_LEVELS]; /* [0] is the root */
	u64 present; /* an entry is present if any of these bits is set */
	u64 table; /* bits of an entry that points to a table */
	u64 leaf; /* bits of every leaf */
	u64 huge; /* marks a leaf above the last level */
	u64 prot_set[NPT_NR_PROT]; /* set when right BIT(i) is given */
	u64 prot_clear[NPT_NR_PROT]; /* set when it is withheld */
	unsigned int prot_ok; /* the rights this format can express */
	u64 mt_mask; /* leaf bits that hold the memory type */
	u64 mt[NPT_NR_MT]; /* their value for each memory type */
	unsigned int mt_ok; /* BIT(type) for each type it can express */
	u64 hw_bits; /* bits the hardware may set (accessed, dirty) */
	u64 sw_bit; /* a bit the hardware ignores, used by npt_check() */
};

/* AMD nested paging: x86-64 long-mode entries, US set everywhere. */
extern const struct npt_format npt_format_amd;
/* Intel EPT: R/W/X, leaves whose memory type ignores the guest PAT. */
extern const struct npt_format npt_format_ept;
/* The payload's own x86-64 tables: supervisor-only, lower half; memory
 * types through PCD/PWT with the PAT MSR at its power-on value. */
extern const struct npt_format npt_format_host;

struct npt;

struct npt_ops {
	/* Drop every translation the hardware may cache for this table (SVM:
	 * TLB_CONTROL or a new ASID before the next VMRUN). */
	void (*flush)(struct npt *npt);
	/* Widening the rights of a present leaf owes a flush too. For a
	 * user that cannot take the spurious fault a stale, narrower TLB
	 * entry may raise (the payload's own tables). */
	bool flush_widen;
};

struct npt_stats {
	u64 table_pages; /* page-table pages held, the root included */
	u64 leaves[NPT_MAX_LEVELS]; /* present leaves at each level */
	u64 splits; /* huge leaves split into a table */
	u64 merges; /* tables merged into one huge leaf */
	u64 flushes; /* flushes done through npt_flush() */
};

struct npt {
	const struct npt_format *fmt;
	struct page_pool *pool;
	u64 *root;
	const struct npt_ops *ops; /* may be NULL */
	void *ctx; /* the owner's, for ops */
	bool flush_owed;
	bool audit; /* npt_vmentry_check() reports an owed flush */
	struct npt_stats stats;
	/* Pages taken for the update in progress (npt.c). */
	u64 *reserve;
	u64 nr_reserve;
};

/* What one GPA translates to. */
struct npt_xlate {
	phys_addr_t hpa; /* of the GPA itself, not of its page */
	u64 size; /* bytes the leaf maps */
	unsigned int prot; /* rights and memory type */
	unsigned int level; /* of the leaf, 0 = root */
	unsigned int depth; /* entries[] filled */
	u64 entries[NPT_MAX_LEVELS]; /* raw entries walked, root first */
};

/* One leaf, as npt_for_each_leaf() reports it. */
struct npt_leaf {
	u64 gpa;
	phys_addr_t hpa;
	u64 size;
	unsigned int prot; /* rights and memory type */
	u64 entry; /* raw */
};

/*
 * Take an empty root from pool. ops and ctx are the caller's; ops may be
 * NULL. Returns 0, -EINVAL for a malformed format, or -ENOMEM.
 */
int npt_init(struct npt *npt, const struct npt_format *fmt,
	     struct page_pool *pool, const struct npt_ops *ops, void *ctx);
/* Free every table page, the root included. */
void npt_destroy(struct npt *npt);

static inline phys_addr_t npt_root_pa(const struct npt *npt)
{
	return (phys_addr_t)npt->root;
}

/*
 * Map [gpa, gpa + size) to [hpa, hpa + size) with prot, replacing what was
 * there. Each leaf is the largest page the format allows at that place
 * whose size is at most 4 KiB << max_order and to which both addresses are
 * aligned; a merge made by this call obeys the same limit. max_order may be
 * any order up to the format's largest page (it is rounded down).
 * Returns 0, -EINVAL (unaligned or zero size, an address beyond the
 * format's width, rights or a memory type the format cannot express,
 * max_order too large) or -ENOMEM; on error nothing changed.
 */
int npt_map(struct npt *npt, u64 gpa, phys_addr_t hpa, u64 size,
	    unsigned int prot, unsigned int max_order);
/* Give every mapped page of the range the rights and memory type prot;
 * unmapped pages stay unmapped. Merges are limited by max_order as for
 * npt_map(). */
int npt_protect(struct npt *npt, u64 gpa, u64 size, unsigned int prot,
		unsigned int max_order);
/* Remove every translation in the range. Splitting a huge leaf that
 * straddles an edge may need memory: -ENOMEM leaves everything as it was. */
int npt_zap(struct npt *npt, u64 gpa, u64 size);
/* Remove at least the range: a huge leaf that straddles an edge is removed
 * whole instead of split, so this needs no memory. For invalidations, which
 * must not fail; a nested fault maps the rest again. Only -EINVAL. */
int npt_zap_wide(struct npt *npt, u64 gpa, u64 size);

/* Translate gpa. Returns 0, -ENOENT when it is not mapped (out->entries
 * still shows the walk) or -EINVAL when gpa is beyond the format's width. */
int npt_lookup(const struct npt *npt, u64 gpa, struct npt_xlate *out);
/* Call fn for every leaf in GPA order; stops at and returns the first
 * non-zero value fn returns. */
int npt_for_each_leaf(const struct npt *npt,
		      int (*fn)(void *arg, const struct npt_leaf *leaf),
		      void *arg);

static inline bool npt_flush_owed(const struct npt *npt)
{
	return npt->flush_owed;
}

/* The caller flushed by its own means: nothing is owed any more. */
void npt_flush_ack(struct npt *npt);
/* If a flush is owed, do it through ops->flush and acknowledge it. */
void npt_flush(struct npt *npt);
void npt_set_audit(struct npt *npt, bool on);
/* Called right before entering the guest. In audit mode, returns -EIO when
 * a flush is owed (a path forgot npt_flush()); otherwise 0. */
int npt_vmentry_check(const struct npt *npt);

/*
 * Full consistency check: every entry is well formed for its level and
 * format (leaves aligned, known bits only, huge leaves only where allowed),
 * no table page is reachable twice, no table below the root is empty, and
 * the counts in npt->stats match the tables. Returns 0 or -EIO after
 * printing the first problem. It briefly marks each table page with
 * fmt->sw_bit, which the hardware ignores.
 */
int npt_check(struct npt *npt);

#endif
