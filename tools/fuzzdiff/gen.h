/* SPDX-License-Identifier: MIT */
/*
 * tools/fuzzdiff/gen.h - the differential fuzzer's trace source: traces
 * generated op by op from the format's grammar, with numbers near the
 * boundaries guest_memfd checks (0, a page, 2 MiB chunk edges, end of
 * file, 2^63, wrap-around), mutations of seed traces, and the bounds that
 * keep any trace cheap for a real kernel (gen_bound()).
 */
#ifndef GMV_TOOLS_FUZZDIFF_GEN_H
#define GMV_TOOLS_FUZZDIFF_GEN_H

#include "tools/replay/trace.h"

/* What both backends offer; a trace uses nothing else (gen_bound()). */
struct gen_caps {
	bool sw_protected; /* KVM_X86_SW_PROTECTED_VM */
	bool attributes; /* KVM_SET_MEMORY_ATTRIBUTES */
	u64 gmem_flags; /* GUEST_MEMFD_FLAG_MMAP / INIT_SHARED */
	/* Memslot address spaces (KVM_CAP_MULTI_ADDRESS_SPACE, at least
	 * 1): both have nr_as, one of them up to max_as. */
	u32 nr_as, max_as;
};

struct rng {
	u64 s;
};

u64 rng_next(struct rng *r);

/*
 * Most bytes of gmem one trace may back on the native side, which backs
 * a whole 2 MiB chunk from its first touch (README, "2 MiB backing"):
 * every write and allocating fallocate is charged by the chunks it can
 * touch.
 */
#define GEN_BACKED_MAX (48ULL << 20)
/* An allocating fallocate covers at most this much. */
#define GEN_ALLOC_MAX (8ULL << 20)
/* KVM_SET_MEMORY_ATTRIBUTES reserves an entry per gfn before it stores
 * (virt/kvm/kvm_main.c kvm_vm_set_mem_attributes()): a range that passes
 * its cheap checks covers at most this much. */
#define GEN_ATTR_MAX (64ULL << 20)
/* A dirty-logged memslot gets a bitmap of a bit per page
 * (kvm_alloc_dirty_bitmap()): at most this much. */
#define GEN_DIRTY_SLOT_MAX (64ULL << 30)

/* A new trace of about n_ops ops into *t (trace_free() it): 0 or -ENOMEM. */
int gen_trace(struct rng *r, const struct gen_caps *caps, size_t n_ops,
	      struct trace *t);

/* seed with a few random mutations (changed numbers, dropped, repeated,
 * swapped and inserted ops) into *t, at most max_ops ops: 0 or -ENOMEM. */
int gen_mutate(struct rng *r, const struct gen_caps *caps,
	       const struct trace *seed, size_t max_ops, struct trace *t);

/*
 * Make t safe and comparable, in place: ops the caps lack are dropped or
 * turned into what both backends have, and every op that could make a
 * kernel allocate much is cut to the bounds above. Any trace the fuzzer
 * runs went through this.
 */
void gen_bound(const struct gen_caps *caps, struct trace *t);

#endif
