// SPDX-License-Identifier: MIT
/*
 * tests/common/native_golden_test.c - golden images and rebinding
 * policies (hv/gmem.h) through the native fault path, without vCPUs:
 * which page a guest access of each VM reaches (the golden page, shared,
 * read-only, or the VM's own copy), what the copy-up invalidates and in
 * which VM, what the policies zero and when, and the SEV-SNP and TDX
 * models: each VM's private copy of a golden page is its own (copy on
 * first private use, the launch path that hardware also has), and a
 * memory handed over under a policy reaches the next VM scrubbed and
 * back in the hypervisor's hands. The checker runs after every case
 * (NATIVE_CASE), and at the steps where it would see a stale state.
 */
#include "hv/alloc.h"
#include "hv/base/kmalloc.h"
#include "hv/gmem.h"
#include "hv/gmem_int.h"
#include "hv/snp/rmp.h"
#include "hv/snp/snp.h"
#include "hv/tdx/tdx.h"
#include "hv/tdx/tdx_module.h"
#include "lib/errno.h"
#include "lib/mem.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define PRIV VM_ACCESS_PRIVATE
#define WR VM_ACCESS_WRITE
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)
#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define GOLD_SIZE (4ULL << 20)
#define GOLD_PAGES (GOLD_SIZE / PG)
#define NR_VMS 3

static u8 buf[PG], want[PG];

/* Golden page p's contents: a byte per page and the page's number. */
static void gold_data(u8 *b, u64 p)
{
	memset(b, (int)(0x40 + p % 191), PG);
	memcpy(b, &p, sizeof(p));
}

/* A default VM's 4 MiB golden image, every page written, sealed. */
static int golden_new(struct kt *t, struct vmm *v, int *builder)
{
	int g;

	*builder = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	if (*builder < 0)
		return -1;
	g = CASE_OPEN(
		t, v->ops->create_gmem(v, *builder, GOLD_SIZE, SHARED_FLAGS));
	for (u64 p = 0; g >= 0 && p < GOLD_PAGES; p++) {
		gold_data(buf, p);
		if (!KT_EXPECT_OK(t, v->ops->host_write(v, g, p * PG, buf, PG)))
			return -1;
	}
	if (g < 0 || !KT_EXPECT_OK(t, v->ops->gmem_seal(v, g)))
		return -1;
	return g;
}

/* A VM of 'type' with an overlay of golden bound at 1 GiB; its handle,
 * the overlay's in *ov. */
static int overlay_vm(struct kt *t, struct vmm *v, unsigned long type,
		      int golden, u64 flags, int *ov)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, type));

	*ov = vm < 0 ? -1
		     : CASE_OPEN(t,
				 v->ops->create_gmem(v, vm, GOLD_SIZE, flags));
	if (*ov < 0 || !KT_EXPECT_OK(t, v->ops->gmem_overlay(v, *ov, golden)) ||
	    !KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, GOLD_SIZE, *ov, 0)))
		return -1;
	return vm;
}

/* A guest read of page p: 0 with f filled, its bytes in buf. */
static int rd(struct vmm *v, int vm, u64 p, unsigned int access,
	      struct vm_fault *f)
{
	return n_guest(v, vm, GB + p * PG, buf, PG, access, f);
}

/*
 * Catches a copy-up that is not per VM (another VM's gfn redirected, or
 * the golden page written), a golden page mapped writable, a copy-up
 * without its invalidation, a 2 MiB golden mapping left over a chunk the
 * overlay has a page in, and a punch that does not fall back.
 */
NATIVE_CASE(golden_write_copies_up_for_the_writer_only)
{
	int builder, golden = golden_new(t, v, &builder), vm[NR_VMS],
		     ov[NR_VMS];
	phys_addr_t gold5, gold700;
	struct vm_fault f;
	u64 zaps[NR_VMS];

	if (golden < 0)
		return;
	for (int i = 0; i < NR_VMS; i++)
		if ((vm[i] = overlay_vm(t, v, GMV_VM_DEFAULT, golden,
					SHARED_FLAGS, &ov[i])) < 0)
			return;
	/* Every VM reads the one golden page, read-only, 2 MiB at a time. */
	KT_ASSERT_OK(t, rd(v, vm[0], 5, 0, &f));
	gold5 = f.pa;
	gold_data(want, 5);
	KT_EXPECT_MEM_EQ(t, buf, want, PG);
	for (int i = 0; i < NR_VMS; i++) {
		KT_ASSERT_OK(t, rd(v, vm[i], 5, 0, &f));
		KT_EXPECT_EQ(t, f.pa, gold5);
		KT_EXPECT(t, !f.writable);
		KT_EXPECT_EQ(t, f.max_order, 9);
		KT_EXPECT_EQ(t, gmem_backed_pages(vmm_native_gmem(v, ov[i])),
			     0);
		zaps[i] = vm_zaps(vmm_native_vm(v, vm[i]))->nr_zaps;
	}
	/* VM 0 writes page 5: its own copy, the golden page unchanged. */
	memset(buf, 0xa5, 8);
	KT_ASSERT_OK(t, n_guest(v, vm[0], GB + 5 * PG, buf, 8, WR, &f));
	KT_EXPECT_NE(t, f.pa, gold5);
	KT_EXPECT(t, f.writable);
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_EXPECT(t, vm_zapped_since(vmm_native_vm(v, vm[0]), zaps[0],
				     (GB >> 12) + 5, (GB >> 12) + 6));
	KT_EXPECT_EQ(t, gmem_backed_pages(vmm_native_gmem(v, ov[0])), 1);
	KT_ASSERT_OK(t, rd(v, vm[0], 5, 0, &f));
	memset(want, 0xa5, 8);
	KT_EXPECT_MEM_EQ(t, buf, want, PG);
	/* Its other pages are still golden, no longer 2 MiB in this chunk,
	 * still 2 MiB in the next. */
	KT_ASSERT_OK(t, rd(v, vm[0], 6, 0, &f));
	KT_EXPECT_EQ(t, f.pa, gold5 + PG);
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_ASSERT_OK(t, rd(v, vm[0], 700, 0, &f));
	gold700 = f.pa;
	KT_EXPECT_EQ(t, f.max_order, 9);
	/* The others still read the golden page, and were not zapped. */
	gold_data(want, 5);
	for (int i = 1; i < NR_VMS; i++) {
		KT_ASSERT_OK(t, rd(v, vm[i], 5, 0, &f));
		KT_EXPECT_EQ(t, f.pa, gold5);
		KT_EXPECT_MEM_EQ(t, buf, want, PG);
		KT_EXPECT_EQ(t, vm_zaps(vmm_native_vm(v, vm[i]))->nr_zaps,
			     zaps[i]);
	}
	KT_EXPECT_OK(t, v->ops->host_read(v, golden, 5 * PG, buf, PG));
	KT_EXPECT_MEM_EQ(t, buf, want, PG);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* A punch of the copy falls back to the golden page. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, ov[0], PUNCH, 5 * PG, PG));
	KT_ASSERT_OK(t, rd(v, vm[0], 5, 0, &f));
	KT_EXPECT_EQ(t, f.pa, gold5);
	KT_EXPECT_MEM_EQ(t, buf, want, PG);
	KT_EXPECT_EQ(t, gmem_backed_pages(vmm_native_gmem(v, ov[0])), 0);
	/* A host write through the overlay copies up too; a host read of a
	 * page the overlay lacks allocates nothing. */
	memset(buf, 0x3c, PG);
	KT_EXPECT_OK(t, v->ops->host_write(v, ov[1], 700 * PG, buf, PG));
	KT_ASSERT_OK(t, rd(v, vm[1], 700, 0, &f));
	KT_EXPECT_NE(t, f.pa, gold700);
	KT_EXPECT_EQ(t, buf[100], 0x3c);
	KT_EXPECT_OK(t, v->ops->host_read(v, ov[2], 700 * PG, buf, PG));
	gold_data(want, 700);
	KT_EXPECT_MEM_EQ(t, buf, want, PG);
	KT_EXPECT_EQ(t, gmem_backed_pages(vmm_native_gmem(v, ov[2])), 0);
	/* The VMM's write by GPA is VM 2's own too. */
	KT_EXPECT_OK(t, v->ops->guest_write(v, vm[2], GB + 9 * PG, "x", 1));
	KT_EXPECT_EQ(t, gmem_backed_pages(vmm_native_gmem(v, ov[2])), 1);
	KT_EXPECT_OK(t, v->ops->host_read(v, golden, 9 * PG, buf, PG));
	gold_data(want, 9);
	KT_EXPECT_MEM_EQ(t, buf, want, PG);
}

/*
 * Catches golden memory freed while an overlay still reads it (a
 * use-after-free the sanitizers and the checker see), and golden memory
 * kept after the last overlay and view went.
 */
NATIVE_CASE(golden_goes_with_its_last_view)
{
	int builder, golden = golden_new(t, v, &builder), ov[2], vm[2];
	u64 base = alloc_owned_pages(hv_pool, OWN_GMEM);
	struct vm_fault f;

	if (golden < 0)
		return;
	KT_EXPECT_EQ(t, base, GOLD_PAGES);
	for (int i = 0; i < 2; i++)
		if ((vm[i] = overlay_vm(t, v, GMV_VM_DEFAULT, golden,
					SHARED_FLAGS, &ov[i])) < 0)
			return;
	KT_EXPECT_OK(t, v->ops->close(v, golden));
	KT_EXPECT_OK(t, v->ops->close(v, builder));
	KT_EXPECT_OK(t, n_guest(v, vm[0], GB + PG, buf, 8, WR, &f));
	KT_EXPECT_EQ(t, gmem_nr_mems(), 3);
	KT_EXPECT_OK(t, v->ops->close(v, ov[0]));
	KT_EXPECT_OK(t, v->ops->close(v, vm[0]));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_ASSERT_OK(t, rd(v, vm[1], 3, 0, &f));
	gold_data(want, 3);
	KT_EXPECT_MEM_EQ(t, buf, want, PG);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), GOLD_PAGES);
	KT_EXPECT_OK(t, v->ops->close(v, ov[1]));
	KT_EXPECT_EQ(t, gmem_nr_mems(), 0);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), 0);
}

/* Catches a hole of the golden image mapped (there is no page) or
 * allocated in the golden memory: the overlay gets a zero page. */
NATIVE_CASE(golden_hole_gives_the_overlay_a_zero_page)
{
	int builder = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int golden = CASE_OPEN(
		t, v->ops->create_gmem(v, builder, 16 * PG, SHARED_FLAGS));
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int ov =
		CASE_OPEN(t, v->ops->create_gmem(v, vm, 16 * PG, SHARED_FLAGS));
	struct vm_fault f;

	if (ov < 0)
		return;
	KT_ASSERT_OK(t, v->ops->host_write(v, golden, 0, "g", 1));
	/* Not while a page is pinned (a device may write it). */
	KT_ASSERT_OK(t, vmm_native_pin(v, golden, 0));
	KT_EXPECT_ERRNO(t, v->ops->gmem_seal(v, golden), EBUSY);
	KT_ASSERT_OK(t, vmm_native_unpin(v, golden, 0));
	KT_ASSERT_OK(t, v->ops->gmem_seal(v, golden));
	KT_EXPECT_ERRNO(t, vmm_native_pin(v, golden, 0), EPERM);
	/* Out of memory for the overlay's view of the image: -ENOMEM,
	 * nothing stacked (the checker and the retry see it). */
	kmalloc_fail_nth(1);
	KT_EXPECT_ERRNO(t, v->ops->gmem_overlay(v, ov, golden), ENOMEM);
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_ASSERT_OK(t, v->ops->gmem_overlay(v, ov, golden));
	KT_ASSERT_OK(t, case_bind(v, vm, 0, GB, 16 * PG, ov, 0));
	KT_EXPECT_OK(t, v->ops->host_read(v, golden, 4 * PG, buf, PG));
	KT_EXPECT(t, mem_is_zero(buf, PG));
	KT_EXPECT_EQ(t, gmem_backed_pages(vmm_native_gmem(v, golden)), 1);
	KT_ASSERT_OK(t, rd(v, vm, 4, 0, &f));
	KT_EXPECT(t, mem_is_zero(buf, PG));
	KT_EXPECT(t, f.writable);
	KT_EXPECT_EQ(t, gmem_backed_pages(vmm_native_gmem(v, ov)), 1);
	KT_EXPECT_EQ(t, gmem_backed_pages(vmm_native_gmem(v, golden)), 1);
	KT_ASSERT_OK(t, rd(v, vm, 0, 0, &f));
	KT_EXPECT_EQ(t, buf[0], 'g');
	KT_EXPECT(t, !f.writable);
}

/* A default VM reads the golden image through an overlay whose pages
 * are private to the host (MMAP without INIT_SHARED): such a VM never
 * checks shareability (G91), so the golden chunk still maps at 2 MiB.
 * Catches the overlay's shareability required where it is not checked. */
NATIVE_CASE(golden_2m_through_an_overlay_the_host_cannot_map)
{
	int builder, golden = golden_new(t, v, &builder), vm, ov;
	struct vm_fault f;

	if (golden < 0)
		return;
	vm = overlay_vm(t, v, GMV_VM_DEFAULT, golden, GMV_GMEM_FLAG_MMAP, &ov);
	if (vm < 0)
		return;
	KT_ASSERT_OK(t, rd(v, vm, 600, 0, &f));
	KT_EXPECT_EQ(t, f.max_order, 9);
	KT_EXPECT(t, !f.writable);
	gold_data(want, 600);
	KT_EXPECT_MEM_EQ(t, buf, want, PG);
}

/*
 * A private overlay page is the VM's own copy of the golden page, made at
 * its first private use (here the launch, KVM_SEV_SNP_LAUNCH_UPDATE or
 * KVM_TDX_INIT_MEM_REGION, the one path that puts data into private
 * memory on hardware too) and handed to that VM's model state only:
 * catches a golden page prepared (assigned to an ASID, added to a TD) or
 * one VM's copy given to another.
 */
static void private_copies(struct kt *t, struct vmm *v, unsigned long type)
{
	int builder, golden = golden_new(t, v, &builder), vm[2], ov[2], own;
	phys_addr_t pa[2], gold;
	struct vm_fault f;

	if (golden < 0)
		return;
	for (int i = 0; i < 2; i++)
		if ((vm[i] = overlay_vm(t, v, type, golden, GMV_GMEM_FLAG_MMAP,
					&ov[i])) < 0)
			return;
	/* The model's own memory, shared, is no golden image: its pages
	 * carry one VM's state. */
	own = CASE_OPEN(t,
			v->ops->create_gmem(v, vm[0], PG, GMV_GMEM_FLAG_MMAP));
	if (own < 0)
		return;
	KT_EXPECT_OK(t, v->ops->convert(v, own, 0, PG, false, NULL));
	KT_EXPECT_ERRNO(t, v->ops->gmem_seal(v, own), EINVAL);
	KT_EXPECT_OK(t, v->ops->close(v, own));
	/* Shared reads of the golden image need the pages shared. */
	KT_ASSERT_OK(t, v->ops->convert(v, ov[1], 8 * PG, PG, false, NULL));
	KT_ASSERT_OK(t, rd(v, vm[1], 8, 0, &f));
	gold = f.pa;
	KT_EXPECT(t, !f.writable);
	for (int i = 0; i < 2; i++) {
		KT_ASSERT_OK(t, v->ops->launch_update(v, vm[i], GB, 4 * PG));
		KT_ASSERT_OK(t, rd(v, vm[i], 2, PRIV, &f));
		pa[i] = f.pa;
		gold_data(want, 2);
		KT_EXPECT_MEM_EQ(t, buf, want, PG);
		KT_EXPECT_NE(t, pa[i], gold - 6 * PG);
		KT_EXPECT_EQ(t, gmem_backed_pages(vmm_native_gmem(v, ov[i])),
			     4);
		if (type == GMV_VM_SNP) {
			struct rmp_info r = {0};

			rmpread(snp_rmp(), pa[i], &r);
			KT_EXPECT(t,
				  r.assigned &&
					  r.asid == snp_vm_asid(vmm_native_vm(
							    v, vm[i])));
			rmpread(snp_rmp(), gold, &r);
			KT_EXPECT(t, !r.assigned);
		} else {
			struct tdx_page_info p = {0};

			tdx_model_page(tdx_cc_model(), tdx_cc_hpa(pa[i]), &p);
			KT_EXPECT(t, p.type == TDX_PT_REG &&
					     p.owner == tdx_vm_td(vmm_native_vm(
								v, vm[i])));
			tdx_model_page(tdx_cc_model(), tdx_cc_hpa(gold), &p);
			KT_EXPECT(t, p.type == TDX_PT_NDA);
		}
	}
	KT_EXPECT_NE(t, pa[0], pa[1]);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* A page first used private after the launch is a copy too (what
	 * the guest then sees of it is the model's: TDX's ACCEPT zeroes
	 * it; docs/ARCHITECTURE.md). */
	KT_ASSERT_OK(t, rd(v, vm[0], 600, PRIV, &f));
	KT_EXPECT_EQ(t, gmem_backed_pages(vmm_native_gmem(v, ov[0])), 5);
	gold_data(want, 600);
	KT_EXPECT_MEM_EQ(t, buf, want, PG);
	/* The golden page under VM 1's shared gfn is still the golden one. */
	KT_ASSERT_OK(t, rd(v, vm[1], 8, 0, &f));
	KT_EXPECT_EQ(t, f.pa, gold);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* The copies go back to the hypervisor with their VMs. */
	for (int i = 0; i < 2; i++) {
		KT_EXPECT_OK(t, v->ops->close(v, ov[i]));
		KT_EXPECT_OK(t, v->ops->close(v, vm[i]));
	}
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), GOLD_PAGES);
}

NATIVE_CASE(golden_private_copy_per_snp_vm)
{
	const char *why = v->ops->lacks(v, VMM_FEAT_SNP_VM);

	if (why) {
		kt_skip(t, "%s", why);
		return;
	}
	private_copies(t, v, GMV_VM_SNP);
}

NATIVE_CASE(golden_private_copy_per_td)
{
	const char *why = v->ops->lacks(v, VMM_FEAT_TDX_VM);

	if (why) {
		kt_skip(t, "%s", why);
		return;
	}
	private_copies(t, v, GMV_VM_TDX);
}

/* ------------------------------------------------- rebinding policies */

/* VMs a and b of 'type' and a gmem of a's with the policy, viewed by b;
 * the gmem's handle, b's view in *view. */
static int policy_pair(struct kt *t, struct vmm *v, unsigned long type,
		       u64 policy, int *a, int *b, int *view)
{
	u64 flags = GMV_GMEM_FLAG_MMAP | policy;
	int g;

	*a = CASE_OPEN(t, v->ops->create_vm(v, type));
	*b = CASE_OPEN(t, v->ops->create_vm(v, type));
	if (type == GMV_VM_DEFAULT)
		flags |= GMV_GMEM_FLAG_INIT_SHARED;
	g = *b < 0 ? -1
		   : CASE_OPEN(t, v->ops->create_gmem(v, *a, 16 * PG, flags));
	*view = g < 0 ? -1 : CASE_OPEN(t, v->ops->create_gmem_view(v, g, *b));
	return *view < 0 ? -1 : g;
}

/*
 * Private memory handed from one SNP or TDX VM to the next: the view of
 * another VM of the same model is allowed only with a policy, b may not
 * bind while a does, and what b's first private use finds is a scrubbed
 * page that a's model state left (unassigned, not a's TD's), whether a
 * only unbound or exited. Catches a policy that zeroes too late (b reads
 * a's data), keeps a's RMP/PAMT state, or lets the two VMs overlap.
 */
static void private_handover(struct kt *t, struct vmm *v, unsigned long type,
			     u64 policy, bool a_exits)
{
	int a, b, view, g = policy_pair(t, v, type, policy, &a, &b, &view);
	int other = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	struct vm_fault f;
	phys_addr_t pa;

	if (g < 0 || other < 0)
		return;
	KT_EXPECT_ERRNO(t, v->ops->create_gmem_view(v, g, other), EINVAL);
	/* a's data: written while shared, then made private and used. */
	KT_ASSERT_OK(t, v->ops->convert(v, g, 0, 16 * PG, false, NULL));
	memset(buf, 0xaa, PG);
	for (u64 p = 0; p < 16; p++)
		KT_ASSERT_OK(t, v->ops->host_write(v, g, p * PG, buf, PG));
	KT_ASSERT_OK(t, v->ops->convert(v, g, 0, 16 * PG, true, NULL));
	KT_ASSERT_OK(t, case_bind(v, a, 0, GB, 16 * PG, g, 0));
	KT_ASSERT_OK(t, n_guest(v, a, GB + 3 * PG, buf, PG, PRIV, &f));
	KT_EXPECT_EQ(t, buf[7], 0xaa);
	pa = f.pa;
	KT_EXPECT_ERRNO(t, case_bind(v, b, 0, 2 * GB, 16 * PG, view, 0), EBUSY);
	if (a_exits) {
		KT_EXPECT_OK(t, v->ops->close(v, g));
		KT_EXPECT_OK(t, v->ops->close(v, a));
	} else {
		KT_EXPECT_OK(t, case_delete(v, a, 0));
	}
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_ASSERT_OK(t, case_bind(v, b, 0, 2 * GB, 16 * PG, view, 0));
	KT_EXPECT_OK(t, v->ops->check(v));
	if (type == GMV_VM_SNP) {
		struct rmp_info r = {0};

		rmpread(snp_rmp(), pa, &r);
		KT_EXPECT(t, !r.assigned);
	} else {
		struct tdx_page_info p = {0};

		tdx_model_page(tdx_cc_model(), tdx_cc_hpa(pa), &p);
		KT_EXPECT(t, p.type != TDX_PT_REG);
	}
	for (u64 p = 0; p < 16; p++) {
		KT_ASSERT_OK(t,
			     n_guest(v, b, 2 * GB + p * PG, buf, PG, PRIV, &f));
		KT_EXPECT(t, mem_is_zero(buf, PG));
	}
}

static const char *need_models(struct vmm *v, unsigned long type)
{
	return v->ops->lacks(v, type == GMV_VM_SNP ? VMM_FEAT_SNP_VM
						   : VMM_FEAT_TDX_VM);
}

#define HANDOVER_CASE(name, type, policy, exits)             \
	NATIVE_CASE(name)                                    \
	{                                                    \
		const char *why = need_models(v, type);      \
                                                             \
		if (why) {                                   \
			kt_skip(t, "%s", why);               \
			return;                              \
		}                                            \
		private_handover(t, v, type, policy, exits); \
	}

HANDOVER_CASE(policy_unbind_snp_next_vm_reads_zeros, GMV_VM_SNP,
	      VMM_GMEM_FLAG_ZERO_ON_UNBIND, false)
HANDOVER_CASE(policy_unbind_snp_after_the_first_exits, GMV_VM_SNP,
	      VMM_GMEM_FLAG_ZERO_ON_UNBIND, true)
HANDOVER_CASE(policy_rebind_snp_next_vm_reads_zeros, GMV_VM_SNP,
	      VMM_GMEM_FLAG_ZERO_ON_REBIND, false)
HANDOVER_CASE(policy_rebind_snp_after_the_first_exits, GMV_VM_SNP,
	      VMM_GMEM_FLAG_ZERO_ON_REBIND, true)
HANDOVER_CASE(policy_unbind_tdx_next_td_reads_zeros, GMV_VM_TDX,
	      VMM_GMEM_FLAG_ZERO_ON_UNBIND, false)
HANDOVER_CASE(policy_unbind_tdx_after_the_first_exits, GMV_VM_TDX,
	      VMM_GMEM_FLAG_ZERO_ON_UNBIND, true)
HANDOVER_CASE(policy_rebind_tdx_next_td_reads_zeros, GMV_VM_TDX,
	      VMM_GMEM_FLAG_ZERO_ON_REBIND, false)
HANDOVER_CASE(policy_rebind_tdx_after_the_first_exits, GMV_VM_TDX,
	      VMM_GMEM_FLAG_ZERO_ON_REBIND, true)

/*
 * Zero on rebind keeps the data for the same VM: a slot deleted and made
 * again by that VM finds its data through the guest's fault path; the
 * next VM finds zeros. Catches a policy that zeroes on every bind.
 */
NATIVE_CASE(policy_rebind_keeps_the_data_for_the_same_vm)
{
	int a, b, view,
		g = policy_pair(t, v, GMV_VM_DEFAULT,
				VMM_GMEM_FLAG_ZERO_ON_REBIND, &a, &b, &view);
	struct vm_fault f;

	if (g < 0)
		return;
	KT_ASSERT_OK(t, case_bind(v, a, 0, GB, 16 * PG, g, 0));
	memset(buf, 0x77, PG);
	KT_ASSERT_OK(t, n_guest(v, a, GB, buf, PG, WR, &f));
	KT_ASSERT_OK(t, case_delete(v, a, 0));
	KT_ASSERT_OK(t, case_bind(v, a, 1, 4 * GB, 16 * PG, g, 0));
	KT_ASSERT_OK(t, n_guest(v, a, 4 * GB, buf, PG, 0, &f));
	KT_EXPECT_EQ(t, buf[100], 0x77);
	KT_ASSERT_OK(t, case_delete(v, a, 1));
	KT_ASSERT_OK(t, case_bind(v, b, 0, GB, 16 * PG, view, 0));
	KT_ASSERT_OK(t, n_guest(v, b, GB, buf, PG, 0, &f));
	KT_EXPECT(t, mem_is_zero(buf, PG));
	KT_EXPECT_EQ(t, gmem_backed_pages(vmm_native_gmem(v, g)), 1);
}

/* Corrupt one thing the checkers look at; the check must say -EIO. */
#define EXPECT_CAUGHT(t, v, what)                                 \
	do {                                                      \
		if (!KT_EXPECT_ERRNO(t, (v)->ops->check(v), EIO)) \
			kt_diag(t, "not caught: %s", what);       \
	} while (0)

/*
 * One corruption per golden, overlay and policy rule of hv/gmem_check.c,
 * each undone before the next: a golden image (its builder's handle),
 * an overlay on it bound by VM a, a policy memory bound by a, and a
 * plain memory.
 */
NATIVE_CASE(check_catches_each_golden_corruption)
{
	int builder, golden = golden_new(t, v, &builder), a, ov, ov2, pol,
		     plain;
	struct gmem_binding fake;
	struct gmem_mem *gm, *om, *pm;
	struct gmem_view *gv, *nv;
	struct cc_ops one_vm;
	const struct cc_ops *cc;

	if (golden < 0)
		return;
	a = overlay_vm(t, v, GMV_VM_DEFAULT, golden, SHARED_FLAGS, &ov);
	pol = a < 0 ? -1
		    : CASE_OPEN(t,
				v->ops->create_gmem(
					v, a, 4 * PG,
					SHARED_FLAGS |
						VMM_GMEM_FLAG_ZERO_ON_REBIND));
	plain = CASE_OPEN(
		t, v->ops->create_gmem(v, builder, 4 * PG, SHARED_FLAGS));
	ov2 = CASE_OPEN(
		t, v->ops->create_gmem(v, builder, GOLD_SIZE, SHARED_FLAGS));
	if (pol < 0 || plain < 0 || ov2 < 0 ||
	    !KT_EXPECT_OK(t, v->ops->gmem_overlay(v, ov2, golden)) ||
	    !KT_EXPECT_OK(t, case_bind(v, a, 1, 2 * GB, 4 * PG, pol, 0)))
		return;
	gv = vmm_native_gmem(v, golden);
	nv = vmm_native_gmem(v, plain);
	gm = gv->mem;
	om = vmm_native_gmem(v, ov)->mem;
	pm = vmm_native_gmem(v, pol)->mem;
	KT_ASSERT_OK(t, v->ops->check(v));
	/* A golden page made private. */
	KT_ASSERT_OK(t, ranges_reserve(&gm->shared, 1));
	ranges_clear(&gm->shared, GOLD_PAGES - 1, GOLD_PAGES);
	EXPECT_CAUGHT(t, v, "golden image with a private page");
	ranges_set(&gm->shared, GOLD_PAGES - 1, GOLD_PAGES);
	/* A golden image of a model whose pages carry one VM's state. */
	cc = gm->cc;
	one_vm = *cc;
	one_vm.one_vm = true;
	gm->cc = &one_vm;
	EXPECT_CAUGHT(t, v, "golden image of a one_vm model");
	gm->cc = cc;
	/* A pinned golden page. */
	KT_ASSERT_OK(t, xmap_store(&gm->pins, 3, (void *)1));
	EXPECT_CAUGHT(t, v, "pinned golden page");
	xmap_erase(&gm->pins, 3);
	/* A golden image bound by a memslot. */
	fake = (struct gmem_binding){.view = gv, .pgoff = 0, .npages = 1};
	KT_ASSERT_OK(t, ranges_reserve(&gv->bindings, 1));
	ranges_insert(&gv->bindings, 0, 1, &fake);
	EXPECT_CAUGHT(t, v, "golden image bound");
	ranges_remove(&gv->bindings, 0);
	/* A golden view that claims an overlay not reading through it. */
	gv->upper = om;
	EXPECT_CAUGHT(t, v, "golden view of an overlay it does not serve");
	gv->upper = NULL;
	/* An overlay the host cannot map (its slots would not be
	 * gmem-only). */
	vmm_native_gmem(v, ov2)->mem->flags &= ~GMV_GMEM_FLAG_MMAP;
	EXPECT_CAUGHT(t, v, "overlay without MMAP");
	vmm_native_gmem(v, ov2)->mem->flags |= GMV_GMEM_FLAG_MMAP;
	/* A view of a memory that is no golden image serving an overlay. */
	nv->upper = om;
	EXPECT_CAUGHT(t, v, "overlay reading through a plain memory");
	nv->upper = NULL;
	/* An overlay whose lower view does not know it. */
	om->lower->upper = NULL;
	EXPECT_CAUGHT(t, v, "overlay's lower view unlinked");
	om->lower->upper = om;
	/* An overlay of another size than its image. */
	om->size += SZ2M;
	EXPECT_CAUGHT(t, v, "overlay of another size");
	om->size -= SZ2M;
	/* A sealed overlay. */
	vmm_native_gmem(v, ov2)->mem->sealed = true;
	EXPECT_CAUGHT(t, v, "sealed overlay");
	vmm_native_gmem(v, ov2)->mem->sealed = false;
	/* A policy memory bound by a VM that is not its tenant. */
	pm->tenant += 1000;
	EXPECT_CAUGHT(t, v, "policy memory bound by another VM");
	pm->tenant -= 1000;
	KT_EXPECT_OK(t, v->ops->check(v));
}

/*
 * A VM with private memory (software-protected) maps a golden chunk at
 * 2 MiB only while its overlay's pages there are all shared: catches a
 * 2 MiB golden mapping over a gfn that is private (its private access
 * would find the golden page mapped) and one refused where all are
 * shared.
 */
NATIVE_CASE(golden_2m_only_over_all_shared_gfns)
{
	int builder, golden = golden_new(t, v, &builder), vm, ov;
	struct vm_fault f;

	if (golden < 0)
		return;
	if (v->ops->lacks(v, VMM_FEAT_SW_PROTECTED_VM)) {
		kt_skip(t, "%s", v->ops->lacks(v, VMM_FEAT_SW_PROTECTED_VM));
		return;
	}
	vm = overlay_vm(t, v, GMV_VM_SW_PROTECTED, golden, GMV_GMEM_FLAG_MMAP,
			&ov);
	if (vm < 0)
		return;
	KT_ASSERT_OK(t, v->ops->convert(v, ov, SZ2M, SZ2M, false, NULL));
	KT_ASSERT_OK(t, rd(v, vm, 600, 0, &f));
	KT_EXPECT_EQ(t, f.max_order, 9);
	KT_ASSERT_OK(t, v->ops->convert(v, ov, 700 * PG, PG, true, NULL));
	KT_ASSERT_OK(t, rd(v, vm, 600, 0, &f));
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_EXPECT(t, !f.writable);
}

/* A golden chunk that is not one block (split by a punch before the
 * seal) maps at 4 KiB only: catches a 2 MiB leaf over pages that are not
 * contiguous. */
NATIVE_CASE(golden_split_chunk_maps_4k)
{
	int builder, golden, vm, ov;
	struct vm_fault f;

	builder = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	golden = builder < 0 ? -1
			     : CASE_OPEN(t, v->ops->create_gmem(v, builder,
								GOLD_SIZE,
								SHARED_FLAGS));
	if (golden < 0)
		return;
	KT_ASSERT_OK(t, v->ops->host_write(v, golden, 0, "a", 1));
	KT_ASSERT_OK(t, v->ops->fallocate(v, golden, PUNCH, 7 * PG, PG));
	KT_ASSERT_OK(t, v->ops->host_write(v, golden, 7 * PG, "b", 1));
	KT_ASSERT_OK(t, v->ops->gmem_seal(v, golden));
	vm = overlay_vm(t, v, GMV_VM_DEFAULT, golden, SHARED_FLAGS, &ov);
	if (vm < 0)
		return;
	KT_ASSERT_OK(t, rd(v, vm, 7, 0, &f));
	KT_EXPECT_EQ(t, buf[0], 'b');
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_ASSERT_OK(t, rd(v, vm, 0, 0, &f));
	KT_EXPECT_EQ(t, buf[0], 'a');
	KT_EXPECT_EQ(t, f.max_order, 0);
}

static const struct kt_case native_golden_cases[] = {
	KT_CASE(golden_write_copies_up_for_the_writer_only),
	KT_CASE(golden_goes_with_its_last_view),
	KT_CASE(golden_hole_gives_the_overlay_a_zero_page),
	KT_CASE(golden_2m_through_an_overlay_the_host_cannot_map),
	KT_CASE(golden_2m_only_over_all_shared_gfns),
	KT_CASE(golden_split_chunk_maps_4k),
	KT_CASE(golden_private_copy_per_snp_vm),
	KT_CASE(golden_private_copy_per_td),
	KT_CASE(policy_unbind_snp_next_vm_reads_zeros),
	KT_CASE(policy_unbind_snp_after_the_first_exits),
	KT_CASE(policy_rebind_snp_next_vm_reads_zeros),
	KT_CASE(policy_rebind_snp_after_the_first_exits),
	KT_CASE(policy_unbind_tdx_next_td_reads_zeros),
	KT_CASE(policy_unbind_tdx_after_the_first_exits),
	KT_CASE(policy_rebind_tdx_next_td_reads_zeros),
	KT_CASE(policy_rebind_tdx_after_the_first_exits),
	KT_CASE(policy_rebind_keeps_the_data_for_the_same_vm),
	KT_CASE(check_catches_each_golden_corruption),
};

const struct kt_suite native_golden_suite = {
	.name = "native_golden",
	.cases = native_golden_cases,
	.n_cases = ARRAY_SIZE(native_golden_cases),
	.unsupported = native_unsupported,
};
