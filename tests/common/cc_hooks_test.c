// SPDX-License-Identifier: MIT
/*
 * tests/common/cc_hooks_test.c - the security-model seam (hv/cc.h) seen by
 * a recording model: which model a VM and its gmem get, and that every
 * memory hook is called at its one place, with the right arguments, in
 * the right order: prepare() at a private page's first use and before the
 * fault returns it, max_order() clamping the fault, invalidate() before
 * the allocator scrubs and takes pages, split() before a 2 MiB block is
 * split, convert() per changing block in index order and undone in
 * reverse, and none of them for an operation that failed for memory.
 */
#include "hv/alloc.h"
#include "hv/base/kmalloc.h"
#include "hv/cc.h"
#include "hv/gmem_int.h"
#include "hv/snp/snp.h"
#include "hv/tdx/tdx.h"
#include "lib/mem.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define PRIV VM_ACCESS_PRIVATE
#define WR VM_ACCESS_WRITE
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)
#define GFN(gpa) ((gpa) >> 12)
#define PATTERN 0x5a

enum rec_hook { R_VM_INIT, R_VM_DESTROY, R_PREPARE, R_INVALIDATE, R_SPLIT,
		R_CONVERT, R_MAX_ORDER };

struct rec_call {
	enum rec_hook hook;
	struct vm *vm;
	u64 gfn;
	phys_addr_t pa;
	unsigned int order;
	bool to_private;
	/* invalidate/split: the block as the allocator still has it, and
	 * whether its first byte still held PATTERN (not scrubbed). */
	unsigned int alloc_order;
	enum alloc_owner alloc_owner;
	bool data_kept;
};

static struct {
	struct rec_call call[2048];
	unsigned int n;
	/* The fail_at-th call of hook fail_hook returns fail_err. */
	enum rec_hook fail_hook;
	unsigned int fail_at, seen;
	unsigned int max_order;
} rec;

static void rec_reset(void)
{
	memset(&rec, 0, sizeof(rec));
	rec.max_order = 9;
	rec.fail_hook = R_VM_INIT;
}

static int rec_log(enum rec_hook hook, struct vm *vm, u64 gfn, phys_addr_t pa,
		   unsigned int order, bool to_private)
{
	struct rec_call *c;

	if (rec.n == ARRAY_SIZE(rec.call))
		return -ENOSPC;
	c = &rec.call[rec.n++];
	*c = (struct rec_call){ .hook = hook, .vm = vm, .gfn = gfn, .pa = pa,
				.order = order, .to_private = to_private };
	if (hook == R_INVALIDATE || hook == R_SPLIT) {
		alloc_block_info(hv_pool, (void *)pa, &c->alloc_order,
				 &c->alloc_owner);
		c->data_kept = *(u8 *)pa == PATTERN;
	}
	if (hook == rec.fail_hook && ++rec.seen == rec.fail_at)
		return -EIO;
	return 0;
}

static int rec_vm_init(struct vm *vm)
{
	return rec_log(R_VM_INIT, vm, 0, 0, 0, false);
}

static void rec_vm_destroy(struct vm *vm)
{
	rec_log(R_VM_DESTROY, vm, 0, 0, 0, false);
}

static int rec_prepare(struct vm *vm, u64 gfn, phys_addr_t pa,
		       unsigned int order)
{
	return rec_log(R_PREPARE, vm, gfn, pa, order, true);
}

static int rec_invalidate(phys_addr_t pa, unsigned int order)
{
	rec_log(R_INVALIDATE, NULL, 0, pa, order, false);
	return 0;
}

static int rec_split(phys_addr_t pa)
{
	return rec_log(R_SPLIT, NULL, 0, pa, 9, false);
}

static int rec_convert(struct vm *vm, u64 gfn, phys_addr_t pa,
		       unsigned int order, bool to_private)
{
	return rec_log(R_CONVERT, vm, gfn, pa, order, to_private);
}

static unsigned int rec_max_order(struct vm *vm, u64 gfn, phys_addr_t pa)
{
	rec_log(R_MAX_ORDER, vm, gfn, pa, 0, false);
	return rec.max_order;
}

static const struct cc_ops rec_ops = {
	.name = "recording",
	.vm_type = GMV_VM_SW_PROTECTED,
	.private_source = CC_PRIVATE_ATTRIBUTE,
	.vm_init = rec_vm_init,
	.vm_destroy = rec_vm_destroy,
	.prepare = rec_prepare,
	.invalidate = rec_invalidate,
	.split = rec_split,
	.convert = rec_convert,
	.max_order = rec_max_order,
};

/* Calls of one hook, from call number 'from' on. */
static unsigned int count(enum rec_hook hook, unsigned int from)
{
	unsigned int n = 0;

	for (unsigned int i = from; i < rec.n; i++)
		n += rec.call[i].hook == hook;
	return n;
}

/* The i-th call of hook from 'from' on, or NULL. */
static const struct rec_call *nth(enum rec_hook hook, unsigned int from,
				  unsigned int i)
{
	for (unsigned int k = from; k < rec.n; k++)
		if (rec.call[k].hook == hook && !i--)
			return &rec.call[k];
	return NULL;
}

/*
 * A SW_PROTECTED VM on the recording model with a 4 MiB gmem (MMAP when
 * asked: in-place conversion) bound at 1 GiB, the whole range private.
 */
struct env {
	int vm, g;
	struct vm *obj;
	struct gmem_view *view;
};

static bool env_open(struct kt *t, struct vmm *v, struct env *e, u64 flags)
{
	rec_reset();
	cc_use(&rec_ops);
	e->vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	cc_use(NULL);
	e->g = CASE_OPEN(t, v->ops->create_gmem(v, e->vm, 4 << 20, flags));
	if (e->g < 0)
		return false;
	e->obj = vmm_native_vm(v, e->vm);
	e->view = vmm_native_gmem(v, e->g);
	return KT_EXPECT_OK(t, case_bind(v, e->vm, 0, GB, 4 << 20, e->g, 0)) &&
	       KT_EXPECT_OK(t, v->ops->set_attributes(
				       v, e->vm, GB, 4 << 20,
				       GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
}

static int fault(struct vmm *v, struct env *e, u64 gpa, unsigned int access,
		 struct vm_fault *f)
{
	u8 b = PATTERN;

	return n_guest(v, e->vm, gpa, &b, 1, access | PRIV, f);
}

NATIVE_CASE(cc_model_is_chosen_per_vm_type)
{
	int d = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int s = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	struct env e;
	u64 live;
	int vm;

	if (s < 0)
		return;
	KT_EXPECT_STR_EQ(t, vm_cc(vmm_native_vm(v, d))->name, "none");
	KT_EXPECT_STR_EQ(t, vm_cc(vmm_native_vm(v, s))->name, "sw_protected");
	KT_EXPECT(t, !vm_has_private_mem(vmm_native_vm(v, d)));
	KT_EXPECT(t, vm_has_private_mem(vmm_native_vm(v, s)));
	/* SNP: the hardware RMP where there is one, else the model. */
	KT_EXPECT(t, cc_for_type(GMV_VM_SNP) ==
			     (rmp_hw_lacks() ? &cc_snp_model : &cc_snp_hw));
	/* TDX: the module model (no SEAMCALL path yet). */
	KT_EXPECT(t, cc_for_type(GMV_VM_TDX) ==
			     (tdx_hw_lacks() ? &cc_tdx_model : &cc_tdx_hw));
	KT_EXPECT_EQ(t, cc_supported_types(),
		     BIT(GMV_VM_DEFAULT) | BIT(GMV_VM_SW_PROTECTED) |
			     BIT(GMV_VM_SNP) | BIT(GMV_VM_TDX));
	/* The override takes its type only; the memory keeps the model. */
	cc_use(&rec_ops);
	KT_EXPECT(t, cc_for_type(GMV_VM_SW_PROTECTED) == &rec_ops);
	KT_EXPECT_STR_EQ(t, cc_for_type(GMV_VM_DEFAULT)->name, "none");
	cc_use(NULL);
	if (!env_open(t, v, &e, 0))
		return;
	KT_EXPECT(t, vm_cc(e.obj) == &rec_ops);
	KT_EXPECT(t, e.view->mem->cc == &rec_ops);
	KT_EXPECT_EQ(t, count(R_VM_INIT, 0), 1);
	KT_EXPECT(t, nth(R_VM_INIT, 0, 0)->vm == e.obj);
	/* The model's vm_init error fails KVM_CREATE_VM, nothing held. */
	live = vm_nr_live();
	rec.fail_at = 2;
	cc_use(&rec_ops);
	vm = v->ops->create_vm(v, GMV_VM_SW_PROTECTED);
	cc_use(NULL);
	KT_EXPECT_ERRNO(t, vm, EIO);
	KT_EXPECT_EQ(t, vm_nr_live(), live);
	/* vm_destroy when the VM goes: after its handle and its gmem. */
	KT_EXPECT_OK(t, v->ops->close(v, e.vm));
	KT_EXPECT_EQ(t, count(R_VM_DESTROY, 0), 0);
	KT_EXPECT_OK(t, v->ops->close(v, e.g));
	KT_EXPECT_EQ(t, count(R_VM_DESTROY, 0), 1);
	KT_EXPECT(t, nth(R_VM_DESTROY, 0, 0) &&
			     nth(R_VM_DESTROY, 0, 0)->vm == e.obj);
}

NATIVE_CASE(cc_prepare_once_at_first_private_use)
{
	struct vm_fault f;
	const struct rec_call *c;
	struct env e;
	unsigned int mark;
	u8 b;

	if (!env_open(t, v, &e, 0))
		return;
	/* The first private fault prepares the whole 2 MiB block, after
	 * max_order() and before the fault returns its page. */
	KT_EXPECT_OK(t, fault(v, &e, GB + 5 * PG, WR, &f));
	KT_ASSERT(t, count(R_PREPARE, 0) == 1);
	c = nth(R_PREPARE, 0, 0);
	KT_EXPECT(t, c->vm == e.obj);
	KT_EXPECT_EQ(t, c->gfn, GFN(GB));
	KT_EXPECT_EQ(t, c->order, 9);
	KT_EXPECT_EQ(t, c->pa + 5 * PG, f.pa);
	KT_EXPECT(t, nth(R_MAX_ORDER, 0, 0) < c);
	KT_EXPECT_EQ(t, nth(R_MAX_ORDER, 0, 0)->gfn, GFN(GB) + 5);
	KT_EXPECT_EQ(t, nth(R_MAX_ORDER, 0, 0)->pa, f.pa);
	KT_EXPECT_EQ(t, f.max_order, 9);
	/* Other pages of the block are prepared already. */
	mark = rec.n;
	KT_EXPECT_OK(t, fault(v, &e, GB + 300 * PG, 0, &f));
	KT_EXPECT_EQ(t, count(R_PREPARE, mark), 0);
	/* max_order() clamps the mapping and the prepared block. */
	rec.max_order = 0;
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M + 3 * PG, 0, &f));
	KT_EXPECT_EQ(t, f.max_order, 0);
	c = nth(R_PREPARE, mark, 0);
	KT_EXPECT(t, c && c->order == 0 && c->gfn == GFN(GB + SZ2M) + 3 &&
			     c->pa == f.pa);
	/* Back at 9, the block is prepared page by page where needed. */
	rec.max_order = 9;
	mark = rec.n;
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, 0, &f));
	KT_EXPECT_EQ(t, count(R_PREPARE, mark), 511);
	KT_EXPECT_EQ(t, nth(R_PREPARE, mark, 0)->gfn, GFN(GB + SZ2M));
	KT_EXPECT_EQ(t, nth(R_PREPARE, mark, 3)->gfn, GFN(GB + SZ2M) + 4);
	/* A shared access never prepares. */
	mark = rec.n;
	KT_EXPECT_OK(t, v->ops->set_attributes(v, e.vm, GB + 8 * PG, PG, 0, 0));
	KT_EXPECT_OK(t, n_guest(v, e.vm, GB + 8 * PG, &b, 1, 0, &f));
	KT_EXPECT_EQ(t, count(R_PREPARE, mark), 0);
	KT_EXPECT_OK(t, v->ops->check(v));
}

/* A 2 MiB block is prepared whole only where the binding maps all of it
 * at an aligned gfn; two half bindings each prepare their own pages. */
NATIVE_CASE(cc_prepare_block_within_its_binding)
{
	struct vm_fault f;
	const struct rec_call *c;
	struct env e;
	unsigned int mark;

	if (!env_open(t, v, &e, 0))
		return;
	KT_EXPECT_OK(t, case_delete(v, e.vm, 0));
	KT_EXPECT_OK(t, case_bind(v, e.vm, 0, GB, 256 * PG, e.g, 256 * PG));
	KT_EXPECT_OK(t, case_bind(v, e.vm, 1, 2 * GB, 256 * PG, e.g, 0));
	KT_EXPECT_OK(t, v->ops->set_attributes(v, e.vm, 2 * GB, 256 * PG,
					       GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT_OK(t, fault(v, &e, GB, WR, &f));
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_ASSERT(t, count(R_PREPARE, 0) == 1);
	c = nth(R_PREPARE, 0, 0);
	KT_EXPECT_EQ(t, c->gfn, GFN(GB));
	KT_EXPECT_EQ(t, c->order, 0);
	mark = rec.n;
	KT_EXPECT_OK(t, fault(v, &e, 2 * GB, WR, &f));
	KT_EXPECT_EQ(t, count(R_PREPARE, mark), 1);
	KT_EXPECT_EQ(t, nth(R_PREPARE, mark, 0)->gfn, GFN(2 * GB));
}

NATIVE_CASE(cc_prepare_failure_fails_the_fault)
{
	struct vm_fault f;
	struct env e;

	if (!env_open(t, v, &e, 0))
		return;
	rec.fail_hook = R_PREPARE;
	rec.seen = 0;
	rec.fail_at = 1;
	KT_EXPECT_ERRNO(t, fault(v, &e, GB, 0, &f), EIO);
	/* Nothing was marked prepared: the next use tries again. */
	KT_EXPECT_OK(t, fault(v, &e, GB, 0, &f));
	KT_EXPECT_EQ(t, count(R_PREPARE, 0), 2);
	KT_EXPECT_EQ(t, nth(R_PREPARE, 0, 0)->pa, nth(R_PREPARE, 0, 1)->pa);
}

NATIVE_CASE(cc_prepare_again_after_shared_or_punch)
{
	struct vm_fault f;
	struct env e;
	u64 err;
	unsigned int mark;
	u8 b;

	if (!env_open(t, v, &e, GMV_GMEM_FLAG_MMAP))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB + PG, 0, &f));
	KT_EXPECT_EQ(t, count(R_PREPARE, 0), 1);
	/* Shared (the guest's shared access reaches gmem here, and prepares
	 * nothing) and private again: prepared again (one page now). */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, PG, PG, false, &err));
	mark = rec.n;
	KT_EXPECT_OK(t, n_guest(v, e.vm, GB + PG, &b, 1, 0, &f));
	KT_EXPECT(t, f.from_gmem);
	KT_EXPECT_EQ(t, count(R_PREPARE, mark), 0);
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, PG, PG, true, &err));
	mark = rec.n;
	KT_EXPECT_OK(t, fault(v, &e, GB + PG, 0, &f));
	KT_EXPECT_EQ(t, count(R_PREPARE, mark), 1);
	KT_EXPECT_EQ(t, nth(R_PREPARE, mark, 0)->gfn, GFN(GB) + 1);
	/* Pages that stayed private are not prepared again. */
	mark = rec.n;
	KT_EXPECT_OK(t, fault(v, &e, GB + 2 * PG, 0, &f));
	KT_EXPECT_EQ(t, count(R_PREPARE, mark), 0);
	/* Punched: the new page is prepared at its first use. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, 2 * PG, PG));
	mark = rec.n;
	KT_EXPECT_OK(t, fault(v, &e, GB + 2 * PG, 0, &f));
	KT_EXPECT_EQ(t, count(R_PREPARE, mark), 1);
	KT_EXPECT_OK(t, v->ops->check(v));
}

NATIVE_CASE(cc_invalidate_before_scrub_and_free)
{
	struct vm_fault f;
	const struct rec_call *c;
	phys_addr_t block;
	struct env e;
	unsigned int mark;

	if (!env_open(t, v, &e, 0))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB + 7 * PG, WR, &f));
	block = f.pa - 7 * PG;
	KT_EXPECT_OK(t, fault(v, &e, GB, WR, &f));
	/* One page of a 2 MiB block: split first, then the page goes,
	 * still allocated and unscrubbed when the model hears of it. */
	mark = rec.n;
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, 7 * PG, PG));
	KT_ASSERT(t, rec.n - mark == 2);
	c = &rec.call[mark];
	KT_EXPECT(t, c->hook == R_SPLIT && c->pa == block);
	KT_EXPECT_EQ(t, c->alloc_order, 9);
	c++;
	KT_EXPECT(t, c->hook == R_INVALIDATE && c->pa == block + 7 * PG &&
			     c->order == 0);
	KT_EXPECT_EQ(t, c->alloc_order, 0);
	KT_EXPECT_EQ(t, c->alloc_owner, OWN_GMEM);
	KT_EXPECT(t, c->data_kept);
	/* A whole unsplit block goes as one. */
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, WR, &f));
	mark = rec.n;
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, SZ2M, SZ2M));
	KT_ASSERT(t, count(R_INVALIDATE, mark) == 1);
	c = nth(R_INVALIDATE, mark, 0);
	KT_EXPECT(t, c->pa == f.pa && c->order == 9 && c->data_kept);
	KT_EXPECT_EQ(t, c->alloc_owner, OWN_GMEM);
	KT_EXPECT_EQ(t, count(R_SPLIT, mark), 0);
	/* Closing the last view gives back the rest, each page once. */
	mark = rec.n;
	KT_EXPECT_OK(t, v->ops->close(v, e.g));
	KT_EXPECT_EQ(t, count(R_INVALIDATE, mark), 511);
	KT_EXPECT(t, nth(R_INVALIDATE, mark, 0)->pa == block &&
			     nth(R_INVALIDATE, mark, 0)->data_kept);
}

NATIVE_CASE(cc_split_failure_stops_the_punch)
{
	struct vm_fault f;
	struct env e;
	u8 b;
	phys_addr_t second;

	if (!env_open(t, v, &e, 0))
		return;
	/* Chunk 1 is one block. */
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M + 9 * PG, WR, &f));
	second = f.pa;
	rec.fail_hook = R_SPLIT;
	rec.seen = 0;
	rec.fail_at = 1;
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, e.g, PUNCH, SZ2M + 4 * PG,
					     8 * PG),
			EIO);
	/* The block is whole, its data and translations intact. */
	KT_EXPECT_EQ(t, gmem_backed_pages(e.view), 512);
	KT_EXPECT_OK(t, n_guest(v, e.vm, GB + SZ2M + 9 * PG, &b, 1, PRIV, &f));
	KT_EXPECT_EQ(t, f.pa, second);
	KT_EXPECT_EQ(t, b, PATTERN);
	KT_EXPECT_EQ(t, f.max_order, 9);
	KT_EXPECT_EQ(t, count(R_INVALIDATE, 0), 0);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* Once the model lets it, the same punch goes through. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, SZ2M + 4 * PG,
					  8 * PG));
	KT_EXPECT_EQ(t, gmem_backed_pages(e.view), 504);
	KT_EXPECT_EQ(t, count(R_INVALIDATE, 0), 8);
}

NATIVE_CASE(cc_convert_per_block_in_order_undone_in_reverse)
{
	struct vm_fault f;
	struct env e;
	u64 err;
	unsigned int mark;
	const struct rec_call *c;

	if (!env_open(t, v, &e, GMV_GMEM_FLAG_MMAP))
		return;
	/* Backed: chunk 0 as one block, pages 600 and 700 alone (chunk 1
	 * is split by a punch), and one page past the binding. */
	KT_EXPECT_OK(t, fault(v, &e, GB, WR, &f));
	KT_EXPECT_OK(t, fault(v, &e, GB + 600 * PG, WR, &f));
	KT_EXPECT_OK(t, fault(v, &e, GB + 700 * PG, WR, &f));
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, 512 * PG, 88 * PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, 601 * PG, 99 * PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, 701 * PG, 323 * PG));
	KT_EXPECT_OK(t, case_region(v, e.vm, 0, 0, 0, 0, -1, 0));
	KT_EXPECT_OK(t, case_bind(v, e.vm, 0, 2 * GB, 700 * PG, e.g, 0));
	/* To shared, the fourth block fails: three in order, then three
	 * back in reverse order, the gfn where the binding maps each. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, GMV_FALLOC_KEEP_SIZE,
					  800 * PG, PG));
	rec.fail_hook = R_CONVERT;
	rec.seen = 0;
	rec.fail_at = 4;
	mark = rec.n;
	KT_EXPECT_ERRNO(t, v->ops->convert(v, e.g, 0, 1024 * PG, false, &err),
			EIO);
	KT_ASSERT(t, count(R_CONVERT, mark) == 7);
	c = nth(R_CONVERT, mark, 0);
	KT_EXPECT(t, c->order == 9 && c->gfn == GFN(2 * GB) && !c->to_private &&
			     c->vm == e.obj);
	KT_EXPECT(t, c[1].gfn == GFN(2 * GB) + 600 && c[1].order == 0);
	KT_EXPECT(t, c[2].gfn == CC_NO_GFN && c[2].order == 0);
	KT_EXPECT(t, c[3].gfn == CC_NO_GFN && c[3].order == 0);
	/* The undo: 700, 600, chunk 0. */
	KT_EXPECT(t, c[4].pa == c[2].pa && c[4].to_private);
	KT_EXPECT(t, c[5].pa == c[1].pa && c[5].to_private);
	KT_EXPECT(t, c[6].pa == c[0].pa && c[6].to_private && c[6].order == 9);
	KT_EXPECT(t, !gmem_is_shared(e.view, 0) &&
			     !gmem_is_shared(e.view, 800 * PG));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* Failing on the first block leaves nothing to undo. */
	rec.seen = 0;
	rec.fail_at = 1;
	mark = rec.n;
	KT_EXPECT_ERRNO(t, v->ops->convert(v, e.g, 0, 1024 * PG, false, &err),
			EIO);
	KT_EXPECT_EQ(t, count(R_CONVERT, mark), 1);
	/* Without a failure every backed block once; back, the same. */
	rec.fail_at = 0;
	mark = rec.n;
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, 1024 * PG, false, &err));
	KT_EXPECT_EQ(t, count(R_CONVERT, mark), 4);
	mark = rec.n;
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, 1024 * PG, true, &err));
	KT_EXPECT_EQ(t, count(R_CONVERT, mark), 4);
	KT_EXPECT(t, nth(R_CONVERT, mark, 3)->to_private);
}

/*
 * Under allocation failure a fault or a conversion either fails with
 * -ENOMEM having told the model nothing, or succeeds having told it once.
 */
NATIVE_CASE(cc_hooks_under_allocation_failure)
{
	struct vm_fault f;
	struct env e;
	u64 err;
	int failed = 0;

	if (!env_open(t, v, &e, GMV_GMEM_FLAG_MMAP))
		return;
	for (u64 n = 1; n < 8; n++) {
		unsigned int mark = rec.n;
		int r;

		KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, 0, 4 << 20));
		if (n & 1)
			kmalloc_fail_nth((n + 1) / 2);
		else
			alloc_fail_nth(hv_pool, n / 2);
		r = fault(v, &e, GB + n * PG, 0, &f);
		kmalloc_fail_nth(0);
		alloc_fail_nth(hv_pool, 0);
		if (r) {
			failed++;
			KT_EXPECT_ERRNO(t, r, ENOMEM);
			KT_EXPECT_EQ(t, count(R_PREPARE, mark), 0);
		} else {
			KT_EXPECT_EQ(t, count(R_PREPARE, mark), 1);
		}
		KT_EXPECT_OK(t, v->ops->check(v));
	}
	KT_EXPECT_GE(t, failed, 2);
	/* A conversion whose reservation fails touches no block. */
	KT_EXPECT_OK(t, fault(v, &e, GB, 0, &f));
	for (u64 n = 1; n < 4; n++) {
		unsigned int mark = rec.n;
		int r;

		kmalloc_fail_nth(n);
		r = v->ops->convert(v, e.g, 8 * PG, PG, false, &err);
		kmalloc_fail_nth(0);
		if (r) {
			KT_EXPECT_ERRNO(t, r, ENOMEM);
			KT_EXPECT_EQ(t, count(R_CONVERT, mark), 0);
		} else {
			KT_EXPECT_EQ(t, count(R_CONVERT, mark), 1);
			KT_EXPECT_OK(t, v->ops->convert(v, e.g, 8 * PG, PG,
							true, &err));
		}
	}
	KT_EXPECT_OK(t, v->ops->check(v));
}

static const struct kt_case cc_hooks_cases[] = {
	KT_CASE(cc_model_is_chosen_per_vm_type),
	KT_CASE(cc_prepare_once_at_first_private_use),
	KT_CASE(cc_prepare_block_within_its_binding),
	KT_CASE(cc_prepare_failure_fails_the_fault),
	KT_CASE(cc_prepare_again_after_shared_or_punch),
	KT_CASE(cc_invalidate_before_scrub_and_free),
	KT_CASE(cc_split_failure_stops_the_punch),
	KT_CASE(cc_convert_per_block_in_order_undone_in_reverse),
	KT_CASE(cc_hooks_under_allocation_failure),
};

const struct kt_suite cc_hooks_suite = {
	.name = "cc_hooks",
	.cases = cc_hooks_cases,
	.n_cases = ARRAY_SIZE(cc_hooks_cases),
	.unsupported = native_unsupported,
};
