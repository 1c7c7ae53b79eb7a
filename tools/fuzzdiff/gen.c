// SPDX-License-Identifier: MIT
/*
 * tools/fuzzdiff/gen.c - generated and mutated traces (see gen.h).
 *
 * The generator keeps a guess of what the trace has made (VM ids, gmem
 * ids with their sizes, memslots) and picks each op's numbers from
 * values near the limits Linux checks (virt/kvm/guest_memfd.c,
 * virt/kvm/kvm_main.c __kvm_set_memory_region(), fs/open.c
 * vfs_fallocate()), relative to those objects: a gmem's end, its 2 MiB
 * chunk edges, a slot's gpa. The guess need not be right; both backends
 * answer whatever comes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hv/kvm_abi.h"
#include "tools/fuzzdiff/gen.h"

#define KIB 1024ULL
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)
#define TIB (1024 * GIB)
#define CHUNK (2 * MIB)
#define PAGE 4096ULL
#define S63 (1ULL << 63)
#define MAX_OBJS 8

struct gmem_guess {
	u64 id, vm, size;
};

struct slot_guess {
	u64 vm, slot, gpa, size;
};

struct state {
	u64 vms[MAX_OBJS];
	unsigned int n_vms;
	struct gmem_guess gmems[MAX_OBJS];
	unsigned int n_gmems;
	struct slot_guess slots[MAX_OBJS];
	unsigned int n_slots;
	u64 next_id;
};

u64 rng_next(struct rng *r)
{
	/* xorshift64*: any non-zero state. */
	if (!r->s)
		r->s = 0x9e3779b97f4a7c15ULL;
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static u64 below(struct rng *r, u64 n)
{
	return n ? rng_next(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

#define PICK(r, arr) ((arr)[below(r, ARRAY_SIZE(arr))])

/* Values that are wrong by themselves: unaligned, huge, wrapping. */
static u64 wild(struct rng *r)
{
	static const u64 v[] = {
		1,	    PAGE - 1,	PAGE + 1, CHUNK - 1,	    S63 - PAGE,
		S63,	    S63 + PAGE, ~0ULL,	  ~0ULL - PAGE + 1, 1ULL << 52,
		1ULL << 48, 1ULL << 40,
	};

	return chance(r, 20) ? rng_next(r) : PICK(r, v);
}

static struct gmem_guess *some_gmem(struct rng *r, struct state *st)
{
	return st->n_gmems ? &st->gmems[below(r, st->n_gmems)] : NULL;
}

/* A VM id: a live one mostly, sometimes one never made. */
static u64 some_vm(struct rng *r, struct state *st)
{
	if (!st->n_vms || chance(r, 3))
		return 1 + below(r, 6);
	return st->vms[below(r, st->n_vms)];
}

/* An offset into a gmem of size sz, near where its checks are. */
static u64 offset_in(struct rng *r, u64 sz)
{
	u64 chunks = sz / CHUNK;

	switch (below(r, 12)) {
	case 0:
		return 0;
	case 1:
		return sz;
	case 2:
		return sz >= PAGE ? sz - PAGE : 0;
	case 3:
		return sz >= CHUNK ? sz - CHUNK : 0;
	case 4:
		return below(r, chunks + 1) * CHUNK;
	case 5:
		return below(r, chunks + 1) * CHUNK + PAGE;
	case 6:
		return chunks ? below(r, chunks) * CHUNK + CHUNK - PAGE : PAGE;
	case 7:
	case 8:
		return below(r, sz / PAGE + 1) * PAGE;
	case 9:
		return sz + below(r, 4) * CHUNK;
	case 10:
		return below(r, sz + 1);
	default:
		return wild(r);
	}
}

/* A length from offset off in a gmem of size sz. */
static u64 length_in(struct rng *r, u64 sz, u64 off)
{
	static const u64 v[] = {PAGE,	      2 * PAGE,	 CHUNK - PAGE, CHUNK,
				CHUNK + PAGE, 2 * CHUNK, 4 * CHUNK};
	u64 rest = sz > off ? sz - off : 0;

	switch (below(r, 8)) {
	case 0:
	case 1:
		return PICK(r, v);
	case 2:
		return rest;
	case 3:
		return rest + PAGE;
	case 4:
		return (1 + below(r, 64)) * PAGE;
	case 5:
		return 0;
	case 6:
		return rest > PAGE ? rest - PAGE : PAGE;
	default:
		return wild(r);
	}
}

static u64 gmem_size(struct rng *r)
{
	static const u64 v[] = {PAGE,	 2 * PAGE,     64 * KIB,  CHUNK - PAGE,
				CHUNK,	 CHUNK + PAGE, 2 * CHUNK, 3 * CHUNK,
				8 * MIB, 16 * MIB,     GIB};

	if (chance(r, 5))
		return chance(r, 50) ? 0 : wild(r);
	if (chance(r, 3))
		return S63 - PAGE;
	return PICK(r, v);
}

static void put(struct trace_op *op, enum trace_key k, u64 v)
{
	op->val[k] = v;
	op->given |= BIT(k);
}

static void gen_vm(struct rng *r, const struct gen_caps *caps, struct state *st,
		   struct trace_op *op)
{
	op->code = TOP_VM;
	put(op, TK_ID, chance(r, 5) && st->n_vms ? st->vms[0] : st->next_id++);
	if (caps->sw_protected && chance(r, 40))
		put(op, TK_TYPE, GMV_VM_SW_PROTECTED);
	else if (chance(r, 30))
		put(op, TK_TYPE, GMV_VM_DEFAULT);
}

static void gen_gmem(struct rng *r, struct state *st, struct trace_op *op)
{
	static const u64 flags[] = {0, 1, 2, 3, 4, 5, 1ULL << 63};

	op->code = TOP_GMEM;
	put(op, TK_ID,
	    chance(r, 5) && st->n_gmems ? st->gmems[0].id : st->next_id++);
	put(op, TK_VM, some_vm(r, st));
	put(op, TK_SIZE, gmem_size(r));
	if (chance(r, 85))
		put(op, TK_FLAGS, chance(r, 80) ? below(r, 4) : PICK(r, flags));
}

static void gen_slot(struct rng *r, struct state *st, struct trace_op *op)
{
	static const u64 ids[] = {0,	   1,	    2,	       3,
				  0x7ffb,  0x7ffc,  0x8000,    0x10000,
				  0x10001, 0x20000, 0xffffffff};
	static const u64 gpas[] = {0,	       CHUNK,
				   4 * MIB,    GIB,
				   4 * GIB,    TIB,
				   4 * TIB,    (1ULL << 48) - CHUNK,
				   1ULL << 48, ~0ULL - PAGE + 1,
				   PAGE,       1};
	static const u64 fl[] = {0, 1, 2, 4, 5, 6, 8, 0x80000000};
	struct gmem_guess *g = some_gmem(r, st);
	struct slot_guess *old = st->n_slots && chance(r, 40)
					 ? &st->slots[below(r, st->n_slots)]
					 : NULL;
	u64 gsz = g ? g->size : CHUNK, size, off = 0;

	op->code = TOP_SLOT;
	put(op, TK_VM, old ? old->vm : some_vm(r, st));
	put(op, TK_SLOT,
	    old		    ? old->slot
	    : chance(r, 85) ? below(r, 4)
			    : PICK(r, ids));
	if (old && chance(r, 30)) {
		size = 0; /* delete */
	} else if (g && chance(r, 75)) {
		off = chance(r, 50) ? 0 : offset_in(r, gsz);
		size = chance(r, 50) ? (gsz > off ? gsz - off : PAGE)
				     : length_in(r, gsz, off);
		put(op, TK_GMEM, chance(r, 95) ? g->id : 77);
		if (chance(r, 85))
			put(op, TK_OFFSET, off);
	} else {
		size = chance(r, 80) ? (1 + below(r, 512)) * PAGE : wild(r);
		if (chance(r, 10))
			put(op, TK_OFFSET, offset_in(r, gsz));
	}
	if (old && chance(r, 50) && size)
		put(op, TK_GPA,
		    chance(r, 50) ? old->gpa : old->gpa + old->size);
	else if (st->n_slots && chance(r, 30))
		put(op, TK_GPA,
		    st->slots[below(r, st->n_slots)].gpa + below(r, 3) * CHUNK);
	else
		put(op, TK_GPA,
		    chance(r, 70) ? below(r, 64) * CHUNK : PICK(r, gpas));
	put(op, TK_SIZE, size);
	if (chance(r, 12))
		put(op, TK_FLAGS, PICK(r, fl));
}

static void gen_falloc(struct rng *r, struct state *st, struct trace_op *op)
{
	static const u64 modes[] = {0,	  2,	0x10, 0x11, 0x13,  0x8,	 0x20,
				    0x40, 0x41, 0x80, 0x81, 0x101, 0x05, 0x07};
	struct gmem_guess *g = some_gmem(r, st);
	u64 sz = g ? g->size : CHUNK, off = offset_in(r, sz);

	op->code = TOP_FALLOC;
	put(op, TK_GMEM, g && chance(r, 97) ? g->id : 77);
	put(op, TK_MODE,
	    chance(r, 55)   ? 3
	    : chance(r, 60) ? 1
			    : PICK(r, modes));
	put(op, TK_OFFSET, off);
	put(op, TK_LEN, length_in(r, sz, off));
}

static void gen_attr(struct rng *r, struct state *st, struct trace_op *op)
{
	static const u64 sizes[] = {PAGE,	  2 * PAGE, CHUNK,
				    CHUNK + PAGE, 4 * MIB,  GEN_ATTR_MAX};
	static const u64 attrs[] = {1, 2, 0x10, 0x18, 1ULL << 63};
	u64 gpa;

	op->code = TOP_ATTR;
	put(op, TK_VM, some_vm(r, st));
	if (st->n_slots && chance(r, 60))
		gpa = st->slots[below(r, st->n_slots)].gpa +
		      below(r, 3) * CHUNK + (chance(r, 30) ? PAGE : 0);
	else
		gpa = chance(r, 80) ? below(r, 32) * CHUNK : wild(r);
	put(op, TK_GPA, gpa);
	put(op, TK_SIZE,
	    chance(r, 85)   ? PICK(r, sizes)
	    : chance(r, 40) ? 0
			    : wild(r));
	put(op, TK_ATTRS,
	    chance(r, 55)   ? GMV_MEMORY_ATTRIBUTE_PRIVATE
	    : chance(r, 80) ? 0
			    : PICK(r, attrs));
	if (chance(r, 5))
		put(op, TK_FLAGS, 1 + below(r, 8));
}

static void gen_access(struct rng *r, struct state *st, struct trace_op *op,
		       bool write)
{
	static const u64 lens[] = {1,	     2,	       16,	 PAGE - 1, PAGE,
				   PAGE + 1, 2 * PAGE, 64 * KIB, 0};
	struct gmem_guess *g = some_gmem(r, st);
	u64 sz = g ? g->size : CHUNK, off = offset_in(r, sz);

	op->code = write ? TOP_WRITE : TOP_READ;
	put(op, TK_GMEM, g && chance(r, 97) ? g->id : 77);
	if (chance(r, 30) && off >= 8)
		off -= 1 + below(r, 8); /* straddle a page or chunk edge */
	put(op, TK_OFFSET, off);
	if (write) {
		put(op, TK_BYTE, below(r, 256));
		put(op, TK_LEN, chance(r, 2) ? 1 * MIB : PICK(r, lens));
	} else {
		put(op, TK_LEN,
		    chance(r, 95)   ? 1 + below(r, 16)
		    : chance(r, 50) ? 0
				    : 17);
	}
}

static void gen_close(struct rng *r, struct state *st, struct trace_op *op)
{
	struct gmem_guess *g = some_gmem(r, st);

	op->code = TOP_CLOSE;
	if (g && chance(r, 70))
		put(op, TK_GMEM, g->id);
	else
		put(op, TK_VM, some_vm(r, st));
}

/* What op makes, as far as the generator's guess goes. */
static void remember(struct state *st, const struct trace_op *op)
{
	switch (op->code) {
	case TOP_VM:
		if (st->n_vms < MAX_OBJS)
			st->vms[st->n_vms++] = op->val[TK_ID];
		break;
	case TOP_GMEM:
		if (st->n_gmems < MAX_OBJS)
			st->gmems[st->n_gmems++] = (struct gmem_guess){
				op->val[TK_ID], op->val[TK_VM],
				op->val[TK_SIZE]};
		break;
	case TOP_SLOT:
		if (op->val[TK_SIZE] && st->n_slots < MAX_OBJS)
			st->slots[st->n_slots++] = (struct slot_guess){
				op->val[TK_VM], op->val[TK_SLOT],
				op->val[TK_GPA], op->val[TK_SIZE]};
		break;
	case TOP_CLOSE:
		for (unsigned int i = 0; i < st->n_gmems; i++)
			if ((op->given & BIT(TK_GMEM)) &&
			    st->gmems[i].id == op->val[TK_GMEM])
				st->gmems[i] = st->gmems[--st->n_gmems];
		for (unsigned int i = 0; i < st->n_vms; i++)
			if ((op->given & BIT(TK_VM)) &&
			    st->vms[i] == op->val[TK_VM])
				st->vms[i] = st->vms[--st->n_vms];
		break;
	default:
		break;
	}
	if ((op->code == TOP_VM || op->code == TOP_GMEM) &&
	    op->val[TK_ID] >= st->next_id)
		st->next_id = op->val[TK_ID] + 1;
}

static void gen_op(struct rng *r, const struct gen_caps *caps, struct state *st,
		   struct trace_op *op)
{
	unsigned int roll = below(r, 100);

	memset(op, 0, sizeof(*op));
	if (!st->n_vms || roll < 3)
		gen_vm(r, caps, st, op);
	else if (!st->n_gmems || roll < 8)
		gen_gmem(r, st, op);
	else if (roll < 25)
		gen_slot(r, st, op);
	else if (roll < 45)
		gen_falloc(r, st, op);
	else if (roll < 55 && caps->attributes)
		gen_attr(r, st, op);
	else if (roll < 72)
		gen_access(r, st, op, true);
	else if (roll < 94)
		gen_access(r, st, op, false);
	else
		gen_close(r, st, op);
}

static int grow_to(struct trace *t, size_t n)
{
	struct trace_op *p = realloc(t->ops, n * sizeof(*p));

	if (!p)
		return -ENOMEM;
	t->ops = p;
	return 0;
}

static void number_lines(struct trace *t)
{
	for (size_t i = 0; i < t->n_ops; i++)
		t->ops[i].line = i + 1;
}

int gen_trace(struct rng *r, const struct gen_caps *caps, size_t n_ops,
	      struct trace *t)
{
	struct state st = {.next_id = 1};

	t->n_ops = 0;
	t->ops = NULL;
	if (grow_to(t, n_ops ? n_ops : 1))
		return -ENOMEM;
	while (t->n_ops < n_ops) {
		struct trace_op *op = &t->ops[t->n_ops++];

		gen_op(r, caps, &st, op);
		remember(&st, op);
	}
	number_lines(t);
	gen_bound(caps, t);
	return 0;
}

/* The generator's guess after the first n ops of t. */
static void scan(const struct trace *t, size_t n, struct state *st)
{
	memset(st, 0, sizeof(*st));
	st->next_id = 1;
	for (size_t i = 0; i < n; i++)
		remember(st, &t->ops[i]);
}

/* A number near v: a boundary, a page or chunk either side, a bit flip. */
static u64 near(struct rng *r, u64 v)
{
	switch (below(r, 8)) {
	case 0:
		return v + PAGE;
	case 1:
		return v - PAGE;
	case 2:
		return v + CHUNK;
	case 3:
		return v - CHUNK;
	case 4:
		return v ^ (1ULL << below(r, 64));
	case 5:
		return v * 2;
	case 6:
		return v / 2;
	default:
		return wild(r);
	}
}

static void mutate_once(struct rng *r, const struct gen_caps *caps,
			struct trace *t, size_t max_ops)
{
	size_t n = t->n_ops, i = below(r, n ? n : 1);
	struct state st;

	switch (below(r, 6)) {
	case 0: { /* a number */
		struct trace_op *op = &t->ops[i];
		int k = (int)below(r, TK_NR_KEYS);

		if (!n || !(op->given & BIT(k)) || k == TK_TYPE)
			return;
		op->val[k] = near(r, op->val[k]);
		if (k == TK_SLOT || k == TK_FLAGS || k == TK_MODE)
			op->val[k] &= 0xffffffffULL;
		if (k == TK_BYTE)
			op->val[k] &= 0xff;
		if (k == TK_LEN &&
		    (op->code == TOP_WRITE || op->code == TOP_READ))
			op->val[k] = MIN(op->val[k], TRACE_LEN_MAX);
		return;
	}
	case 1: /* drop */
		if (n > 1) {
			memmove(&t->ops[i], &t->ops[i + 1],
				(n - i - 1) * sizeof(*t->ops));
			t->n_ops--;
		}
		return;
	case 2: /* repeat */
		if (n && n < max_ops) {
			memmove(&t->ops[i + 1], &t->ops[i],
				(n - i) * sizeof(*t->ops));
			t->n_ops++;
		}
		return;
	case 3: { /* swap */
		size_t j = below(r, n ? n : 1);
		struct trace_op tmp;

		if (n) {
			tmp = t->ops[i];
			t->ops[i] = t->ops[j];
			t->ops[j] = tmp;
		}
		return;
	}
	default: /* insert a generated op */
		if (n >= max_ops)
			return;
		scan(t, i, &st);
		memmove(&t->ops[i + 1], &t->ops[i], (n - i) * sizeof(*t->ops));
		gen_op(r, caps, &st, &t->ops[i]);
		t->n_ops++;
		return;
	}
}

int gen_mutate(struct rng *r, const struct gen_caps *caps,
	       const struct trace *seed, size_t max_ops, struct trace *t)
{
	size_t n = MIN(seed->n_ops, max_ops), rounds = 1 + below(r, 8);

	t->ops = NULL;
	t->n_ops = 0;
	if (grow_to(t, max_ops ? max_ops : 1))
		return -ENOMEM;
	memcpy(t->ops, seed->ops, n * sizeof(*t->ops));
	t->n_ops = n;
	for (size_t k = 0; k < rounds; k++)
		mutate_once(r, caps, t, max_ops);
	number_lines(t);
	gen_bound(caps, t);
	return 0;
}

/* ------------------------------------------------------------ bounds */

struct touched {
	u64 gmem[GEN_BACKED_MAX / CHUNK], chunk[GEN_BACKED_MAX / CHUNK];
	unsigned int n;
};

/* Charge the chunks of [off, off + len) inside a gmem of size sz; false
 * (nothing charged) when they would pass GEN_BACKED_MAX. */
static bool charge(struct touched *tc, u64 gmem, u64 sz, u64 off, u64 len)
{
	u64 end = off + len < off || off + len > sz ? sz : off + len;
	unsigned int n = tc->n;

	if (off >= end)
		return true;
	for (u64 c = off / CHUNK; c <= (end - 1) / CHUNK; c++) {
		unsigned int i;

		for (i = 0; i < tc->n; i++)
			if (tc->gmem[i] == gmem && tc->chunk[i] == c)
				break;
		if (i < tc->n)
			continue;
		if (tc->n == ARRAY_SIZE(tc->gmem)) {
			tc->n = n;
			return false;
		}
		tc->gmem[tc->n] = gmem;
		tc->chunk[tc->n++] = c;
	}
	return true;
}

static u64 size_of(const struct trace *t, size_t upto, u64 id)
{
	u64 sz = 0;

	for (size_t i = 0; i < upto; i++)
		if (t->ops[i].code == TOP_GMEM && t->ops[i].val[TK_ID] == id)
			sz = t->ops[i].val[TK_SIZE];
	return sz;
}

/* KVM_SET_MEMORY_ATTRIBUTES refuses these before it touches per-gfn
 * state (kvm_vm_ioctl_set_mem_attributes()). */
static bool attr_refused_early(const struct trace_op *op)
{
	u64 gpa = op->val[TK_GPA], size = op->val[TK_SIZE];

	return op->val[TK_FLAGS] ||
	       (op->val[TK_ATTRS] & ~GMV_MEMORY_ATTRIBUTE_PRIVATE) || !size ||
	       gpa + size < gpa || (gpa | size) & (PAGE - 1);
}

/* Whether Linux could allocate pages for this fallocate: KEEP_SIZE alone
 * with aligned numbers whose sum fits loff_t (vfs_fallocate(),
 * kvm_gmem_fallocate()). */
static bool falloc_allocates(const struct trace_op *op)
{
	u64 off = op->val[TK_OFFSET], len = op->val[TK_LEN];

	return op->val[TK_MODE] == 1 && !((off | len) & (PAGE - 1)) &&
	       off < S63 && len < S63 && off + len < S63;
}

void gen_bound(const struct gen_caps *caps, struct trace *t)
{
	struct touched tc = {.n = 0};
	size_t out = 0;

	for (size_t i = 0; i < t->n_ops; i++) {
		struct trace_op op = t->ops[i];
		u64 gm = op.val[TK_GMEM];

		switch (op.code) {
		case TOP_VM:
			if (op.val[TK_TYPE] == GMV_VM_SW_PROTECTED &&
			    !caps->sw_protected)
				op.val[TK_TYPE] = GMV_VM_DEFAULT;
			break;
		case TOP_GMEM:
			op.val[TK_FLAGS] &= ~((GMV_GMEM_FLAG_MMAP |
					       GMV_GMEM_FLAG_INIT_SHARED) &
					      ~caps->gmem_flags);
			break;
		case TOP_ATTR:
			if (!caps->attributes)
				continue;
			if (!attr_refused_early(&op) &&
			    op.val[TK_SIZE] > GEN_ATTR_MAX)
				op.val[TK_SIZE] = GEN_ATTR_MAX;
			break;
		case TOP_SLOT:
			/* An address space only one side has: one neither
			 * has instead, which both refuse. */
			if ((op.val[TK_SLOT] >> 16) >= caps->nr_as &&
			    (op.val[TK_SLOT] >> 16) < caps->max_as)
				op.val[TK_SLOT] = (op.val[TK_SLOT] & 0xffff) |
						  (u64)caps->max_as << 16;
			if ((op.val[TK_FLAGS] & GMV_MEM_LOG_DIRTY_PAGES) &&
			    op.val[TK_SIZE] > GEN_DIRTY_SLOT_MAX)
				op.val[TK_SIZE] = GEN_DIRTY_SLOT_MAX;
			break;
		case TOP_FALLOC:
			if (!falloc_allocates(&op))
				break;
			if (op.val[TK_LEN] > GEN_ALLOC_MAX)
				op.val[TK_LEN] = GEN_ALLOC_MAX;
			if (!charge(&tc, gm, size_of(t, out, gm),
				    op.val[TK_OFFSET], op.val[TK_LEN]))
				op.val[TK_MODE] = 3; /* a punch instead */
			break;
		case TOP_WRITE:
		case TOP_READ: /* a host fault backs the page it reads too */
			if (!charge(&tc, gm, size_of(t, out, gm),
				    op.val[TK_OFFSET], op.val[TK_LEN]))
				continue;
			break;
		default:
			break;
		}
		t->ops[out++] = op;
	}
	t->n_ops = out;
}
