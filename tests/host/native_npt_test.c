// SPDX-License-Identifier: MIT
/*
 * tests/host/native_npt_test.c - what invalidations leave in a VM's nested
 * page table, seen on the host through the scripted vCPU backend
 * (hv/arch_script.h, a real NPT behind it): pages a guest touched are
 * mapped, and a punch, a conversion, a release, an attribute change or a
 * slot move must unmap every one of them it concerns, with the flush
 * done and the filter the memory calls for. The zap log of the other
 * native suites says a zap was asked for; this says the table lost the
 * translation. Host only (the scripted backend is a host build's).
 */
#include "hv/alloc.h"
#include "hv/arch.h"
#include "hv/arch_script.h"
#include "hv/base/kmalloc.h"
#include "hv/cc.h"
#include "hv/deadline.h"
#include "hv/npt.h"
#include "hv/vm.h"
#include "lib/mem.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)

/* A VM of 'type' with the scripted backend, so it has a nested table. */
static int scripted_vm(struct kt *t, struct vmm *v, unsigned long type)
{
	const struct arch_ops *old = arch_use(&arch_script_ops);
	int vm = CASE_OPEN(t, v->ops->create_vm(v, type));

	arch_use(old);
	return vm;
}

/* Map gpa's page as a guest's first touch would: 0 or the fault's error. */
static int touch(struct vmm *v, int vm, u64 gpa, unsigned int access)
{
	struct vm *obj = vmm_native_vm(v, vm);
	struct vm_fault f = {.gpa = gpa, .access = access};
	int r = vm_fault(obj, &f);

	return r ? r
		 : arch_script_ops.map(vm_arch_vm(obj), gpa, f.pa, 0,
				       f.writable, access & VM_ACCESS_PRIVATE);
}

/* How many of the n pages from gpa have a translation. */
static u64 mapped(struct vmm *v, int vm, u64 gpa, u64 n)
{
	struct arch_xlate x;
	u64 count = 0;

	for (u64 i = 0; i < n; i++)
		count += !vm_lookup_gpa(vmm_native_vm(v, vm), gpa + i * PG, &x);
	return count;
}

static int touch_all(struct vmm *v, int vm, u64 gpa, u64 n)
{
	int r = 0;

	for (u64 i = 0; i < n && !r; i++)
		r = touch(v, vm, gpa + i * PG, 0);
	return r;
}

static const struct arch_script_stats *stats(struct vmm *v, int vm)
{
	return arch_script_vm_stats(vm_arch_vm(vmm_native_vm(v, vm)));
}

static bool flush_owed(struct vmm *v, int vm)
{
	return npt_flush_owed(
		arch_script_npt(vm_arch_vm(vmm_native_vm(v, vm))));
}

/*
 * Catches an invalidation that zaps only the first binding of a view (the
 * second slot keeps translations to pages the file gave back), a zap or
 * a flush that never reaches the table: after a punch, a conversion and
 * a release of one gmem bound twice, neither slot maps anything.
 */
NATIVE_CASE(two_slots_of_one_gmem_lose_their_translations)
{
	int vm = scripted_vm(t, v, GMV_VM_DEFAULT);
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 16 * PG, SHARED_FLAGS));
	u64 err_off;

	if (g < 0)
		return;
	KT_ASSERT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0));
	KT_ASSERT_OK(t, case_bind(v, vm, 1, 2 * GB, 4 * PG, g, 8 * PG));
	KT_ASSERT_OK(t, touch_all(v, vm, GB, 4));
	KT_ASSERT_OK(t, touch_all(v, vm, 2 * GB, 4));
	KT_EXPECT_EQ(t, mapped(v, vm, GB, 4) + mapped(v, vm, 2 * GB, 4), 8);
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 0, 16 * PG));
	KT_EXPECT_EQ(t, mapped(v, vm, GB, 4), 0);
	KT_EXPECT_EQ(t, mapped(v, vm, 2 * GB, 4), 0);
	KT_EXPECT(t, !flush_owed(v, vm));
	/* A conversion over both. */
	KT_ASSERT_OK(t, touch_all(v, vm, GB, 4));
	KT_ASSERT_OK(t, touch_all(v, vm, 2 * GB, 4));
	KT_EXPECT_OK(t, v->ops->convert(v, g, 0, 16 * PG, true, &err_off));
	KT_EXPECT_EQ(t, mapped(v, vm, GB, 4) + mapped(v, vm, 2 * GB, 4), 0);
	KT_EXPECT(t, !flush_owed(v, vm));
	/* Closing the gmem. */
	KT_ASSERT_OK(t, touch_all(v, vm, GB, 4));
	KT_ASSERT_OK(t, touch_all(v, vm, 2 * GB, 4));
	KT_EXPECT_OK(t, v->ops->close(v, g));
	KT_EXPECT_EQ(t, mapped(v, vm, GB, 4) + mapped(v, vm, 2 * GB, 4), 0);
	KT_EXPECT(t, !flush_owed(v, vm));
}

/*
 * Catches the filter of a gmem invalidation taken from the wrong flag:
 * an INIT_SHARED memory backs shared translations only, an MMAP one both
 * kinds (in-place conversion), any other private ones only
 * (kvm_gmem_get_invalidate_filter in virt/kvm/guest_memfd.c).
 */
NATIVE_CASE(gmem_zaps_carry_the_memorys_filter)
{
	static const struct {
		unsigned long type;
		u64 flags;
		unsigned int filter;
	} kinds[] = {
		{GMV_VM_DEFAULT, SHARED_FLAGS, ARCH_ZAP_SHARED},
		{GMV_VM_DEFAULT, GMV_GMEM_FLAG_INIT_SHARED, ARCH_ZAP_SHARED},
		{GMV_VM_DEFAULT, GMV_GMEM_FLAG_MMAP, ARCH_ZAP_ALL},
		{GMV_VM_SW_PROTECTED, GMV_GMEM_FLAG_MMAP, ARCH_ZAP_ALL},
		{GMV_VM_DEFAULT, 0, ARCH_ZAP_PRIVATE},
		{GMV_VM_SW_PROTECTED, 0, ARCH_ZAP_PRIVATE},
	};

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		int vm = scripted_vm(t, v, kinds[i].type);
		int g = CASE_OPEN(
			t, v->ops->create_gmem(v, vm, 4 * PG, kinds[i].flags));
		u64 zaps;

		if (g < 0)
			return;
		KT_ASSERT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0));
		zaps = stats(v, vm)->zaps;
		KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 0, PG));
		KT_EXPECT_EQ(t, stats(v, vm)->zaps, zaps + 1);
		if (!KT_EXPECT_EQ(t, stats(v, vm)->last_filter,
				  kinds[i].filter))
			kt_diag(t, "VM type %lu, gmem flags %#llx",
				kinds[i].type,
				(unsigned long long)kinds[i].flags);
		v->ops->reset(v);
	}
}

/*
 * Catches a slot move or an attribute change that leaves the table as it
 * was: the moved slot's old GPA and a page turned private lose their
 * translations, flushed.
 */
NATIVE_CASE(moves_and_attribute_changes_unmap)
{
	int vm = scripted_vm(t, v, GMV_VM_SW_PROTECTED);

	if (vm < 0)
		return;
	KT_ASSERT_OK(t, case_region(v, vm, 0, 0, GB, 4 * PG, -1, 0));
	KT_ASSERT_OK(t, case_region(v, vm, 1, 0, 2 * GB, 4 * PG, -1, 0));
	KT_ASSERT_OK(t, touch_all(v, vm, GB, 4));
	KT_ASSERT_OK(t, touch_all(v, vm, 2 * GB, 4));
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, 3 * GB, 4 * PG, -1, 0));
	KT_EXPECT_EQ(t, mapped(v, vm, GB, 4), 0);
	KT_EXPECT(t, !flush_owed(v, vm));
	KT_EXPECT_OK(t,
		     v->ops->set_attributes(v, vm, 2 * GB + PG, PG,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT_EQ(t, mapped(v, vm, 2 * GB, 4), 3);
	KT_EXPECT_EQ(t, stats(v, vm)->last_filter, ARCH_ZAP_SHARED);
	KT_EXPECT(t, !flush_owed(v, vm));
	/* Deleting the slot unmaps the rest. */
	KT_EXPECT_OK(t, case_delete(v, vm, 1));
	KT_EXPECT_EQ(t, mapped(v, vm, 2 * GB, 4), 0);
}

struct held {
	u64 objects, pgtable;
};

static void held_now(struct held *h)
{
	struct kmalloc_stats ks;

	kmalloc_get_stats(&ks);
	h->objects = ks.objects;
	h->pgtable = alloc_owned_pages(hv_pool, OWN_PGTABLE);
}

static int fail_vm_init(struct vm *vm)
{
	return -EIO;
}

static const struct cc_ops init_fails = {
	.name = "init-fails",
	.vm_type = GMV_VM_SW_PROTECTED,
	.private_source = CC_PRIVATE_ATTRIBUTE,
	.vm_init = fail_vm_init,
};

/*
 * Catches a VM's backend state (its nested table and what it holds) not freed
 * when the VM goes, or when the security model refuses the VM after the
 * backend made its state.
 */
NATIVE_CASE(backend_state_goes_back_with_the_vm)
{
	const struct arch_ops *saved;
	const struct cc_ops *old;
	struct held before, after;
	int vm;

	v->ops->reset(v);
	held_now(&before);
	vm = scripted_vm(t, v, GMV_VM_DEFAULT);
	if (vm < 0)
		return;
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, 4 * PG, -1, 0));
	KT_EXPECT_OK(t, touch_all(v, vm, GB, 4));
	v->ops->reset(v);
	held_now(&after);
	KT_EXPECT_EQ(t, after.objects, before.objects);
	KT_EXPECT_EQ(t, after.pgtable, before.pgtable);
	/* The model's vm_init() fails after the backend's. */
	old = cc_use(&init_fails);
	saved = arch_use(&arch_script_ops);
	KT_EXPECT_ERRNO(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED), EIO);
	arch_use(saved);
	cc_use(old);
	held_now(&after);
	KT_EXPECT_EQ(t, after.objects, before.objects);
	KT_EXPECT_EQ(t, after.pgtable, before.pgtable);
}

/*
 * Catches the backend's failure to make its VM state ignored: out of
 * memory there, KVM_CREATE_VM fails with ENOMEM and holds nothing.
 */
NATIVE_CASE(vm_creation_out_of_memory_holds_nothing)
{
	const struct arch_ops *saved;
	struct held before, after;
	int failures = 0, wrong = 0;

	v->ops->reset(v);
	for (u64 n = 1; n < 16; n++) {
		for (int pages = 0; pages < 2; pages++) {
			int vm;

			held_now(&before);
			saved = arch_use(&arch_script_ops);
			if (pages)
				alloc_fail_nth(hv_pool, n);
			else
				kmalloc_fail_nth(n);
			vm = v->ops->create_vm(v, GMV_VM_DEFAULT);
			alloc_fail_nth(hv_pool, 0);
			kmalloc_fail_nth(0);
			arch_use(saved);
			v->ops->reset(v);
			held_now(&after);
			if (vm >= 0)
				continue;
			failures++;
			wrong += vm != -ENOMEM;
			wrong += after.objects != before.objects;
			wrong += after.pgtable != before.pgtable;
		}
	}
	/* The VM, the handle table, the backend's VM, its table root. */
	KT_EXPECT_GE(t, failures, 3);
	KT_EXPECT_EQ(t, wrong, 0);
}

static void fake_arm(u64 deadline)
{
}

static void fake_disarm(void)
{
}

/*
 * Catches the VM's vCPUs freed one too many when it goes: a VM with the
 * most vCPUs a VM may have. vCPUs need a deadline timer; a fake one
 * stands in while the case runs.
 */
NATIVE_CASE(vm_with_the_most_vcpus_goes)
{
	const struct deadline_timer *tm = deadline_timer();
	struct deadline_timer saved_timer, fake = {
						   .name = "fake",
						   .tsc_per_ms = 1ULL << 40,
						   .arm = fake_arm,
						   .disarm = fake_disarm,
					   };
	const struct arch_ops *saved;
	struct held before, after;
	int vm, made = 0;

	if (tm)
		saved_timer = *tm;
	deadline_timer_register(&fake);
	v->ops->reset(v);
	held_now(&before);
	/* The backend stays chosen while vCPUs are made (vcpu_lacks()). */
	saved = arch_use(&arch_script_ops);
	vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	for (int i = 0; vm >= 0 && i < ARCH_MAX_VCPUS; i++)
		made += v->ops->create_vcpu(v, vm) >= 0;
	KT_EXPECT_EQ(t, made, ARCH_MAX_VCPUS);
	if (vm >= 0)
		KT_EXPECT_ERRNO(t, v->ops->create_vcpu(v, vm), EINVAL);
	arch_use(saved);
	v->ops->reset(v);
	held_now(&after);
	KT_EXPECT_EQ(t, after.objects, before.objects);
	deadline_timer_register(tm ? &saved_timer : NULL);
}

/* Map gpa as a guest access would, the largest block the fault path
 * allows: 0 or the fault's error. */
static int touch_huge(struct vmm *v, int vm, u64 gpa, unsigned int access)
{
	struct vm *obj = vmm_native_vm(v, vm);
	struct vm_fault f = {.gpa = gpa, .access = access};
	int r = vm_fault(obj, &f);

	return r ? r
		 : arch_script_ops.map(vm_arch_vm(obj), gpa, f.pa, f.max_order,
				       f.writable, false);
}

/*
 * Golden images in the table: every VM maps the golden page read-only,
 * 2 MiB where it can; a write in the 2 MiB golden mapping of one VM
 * drops that leaf (flushed) and maps the VM's copy writable at 4 KiB,
 * the rest of the 2 MiB faulting back at 4 KiB, while the other VM keeps
 * its 2 MiB golden leaf. Catches a writable golden leaf, a copy-up that
 * leaves the 2 MiB leaf (the guest would go on writing the golden page
 * through it), or one that zaps the other VM.
 */
NATIVE_CASE(golden_leaves_are_read_only_and_split_on_write)
{
	int builder = scripted_vm(t, v, GMV_VM_DEFAULT), vm[2], ov[2];
	int golden = CASE_OPEN(t, v->ops->create_gmem(v, builder, 4 << 20,
						      SHARED_FLAGS));
	struct arch_xlate x, y;

	if (golden < 0)
		return;
	KT_ASSERT_OK(t, v->ops->host_write(v, golden, 5 * PG, "golden", 6));
	KT_ASSERT_OK(t, v->ops->gmem_seal(v, golden));
	for (int i = 0; i < 2; i++) {
		vm[i] = scripted_vm(t, v, GMV_VM_DEFAULT);
		ov[i] = CASE_OPEN(t, v->ops->create_gmem(v, vm[i], 4 << 20,
							 SHARED_FLAGS));
		if (ov[i] < 0)
			return;
		KT_ASSERT_OK(t, v->ops->gmem_overlay(v, ov[i], golden));
		KT_ASSERT_OK(t, case_bind(v, vm[i], 0, GB, 4 << 20, ov[i], 0));
		KT_ASSERT_OK(t, touch_huge(v, vm[i], GB + 5 * PG, 0));
		KT_ASSERT_OK(t, vm_lookup_gpa(vmm_native_vm(v, vm[i]),
					      GB + 5 * PG, &x));
		KT_EXPECT_EQ(t, x.order, 9);
		KT_EXPECT(t, !x.writable);
	}
	/* A slot right after the overlay's, mapped: not the overlay's. */
	KT_ASSERT_OK(t, case_region(v, vm[0], 1, 0, GB + (4 << 20), PG, -1, 0));
	KT_ASSERT_OK(t, touch(v, vm[0], GB + (4 << 20), 0));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_ASSERT_OK(t, touch_huge(v, vm[0], GB + 5 * PG, VM_ACCESS_WRITE));
	KT_ASSERT_OK(t, vm_lookup_gpa(vmm_native_vm(v, vm[0]), GB + 5 * PG,
				      &y));
	KT_EXPECT_EQ(t, y.order, 0);
	KT_EXPECT(t, y.writable);
	KT_EXPECT_NE(t, y.hpa, x.hpa);
	KT_EXPECT_EQ(t, mapped(v, vm[0], GB, 512), 1);
	KT_EXPECT(t, !flush_owed(v, vm[0]));
	KT_ASSERT_OK(t, touch_huge(v, vm[0], GB + 6 * PG, 0));
	KT_ASSERT_OK(t, vm_lookup_gpa(vmm_native_vm(v, vm[0]), GB + 6 * PG,
				      &y));
	KT_EXPECT_EQ(t, y.order, 0);
	KT_EXPECT(t, !y.writable);
	KT_ASSERT_OK(t, vm_lookup_gpa(vmm_native_vm(v, vm[1]), GB + 5 * PG,
				      &y));
	KT_EXPECT_EQ(t, y.order, 9);
	KT_EXPECT_EQ(t, y.hpa, x.hpa);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* The VM checker sees a translation left on the golden page after
	 * the copy-up (planted: VM 0's gfn mapped back to it). */
	KT_ASSERT_OK(t, arch_script_ops.map(vm_arch_vm(vmm_native_vm(v, vm[0])),
					    GB + 5 * PG, x.hpa, 0, false,
					    false));
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	vm_zap_range(vmm_native_vm(v, vm[0]), (GB >> 12) + 5, (GB >> 12) + 6);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* The punch of the copy drops its leaf; the golden page comes back
	 * read-only. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, ov[0], PUNCH, 5 * PG, PG));
	KT_EXPECT_EQ(t, mapped(v, vm[0], GB + 5 * PG, 1), 0);
	KT_ASSERT_OK(t, touch_huge(v, vm[0], GB + 5 * PG, 0));
	KT_ASSERT_OK(t, vm_lookup_gpa(vmm_native_vm(v, vm[0]), GB + 5 * PG,
				      &y));
	KT_EXPECT_EQ(t, y.hpa, x.hpa);
	KT_EXPECT(t, !y.writable);
}

/*
 * Zero on unbind with the same pages bound by a second slot of the same
 * VM (through a second view): deleting the first slot zeroes the pages,
 * so the second slot's translations of them must go too. Catches a
 * policy's zeroing without its invalidation.
 */
NATIVE_CASE(policy_zeroing_unmaps_the_other_slot)
{
	int vm = scripted_vm(t, v, GMV_VM_DEFAULT);
	int g = CASE_OPEN(t, v->ops->create_gmem(
				  v, vm, 4 * PG,
				  SHARED_FLAGS | VMM_GMEM_FLAG_ZERO_ON_UNBIND));
	int w = g < 0 ? -1 : CASE_OPEN(t, v->ops->create_gmem_view(v, g, vm));

	if (w < 0)
		return;
	KT_ASSERT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0));
	KT_ASSERT_OK(t, case_bind(v, vm, 1, 2 * GB, 4 * PG, w, 0));
	KT_ASSERT_OK(t, touch_all(v, vm, 2 * GB, 4));
	KT_EXPECT_EQ(t, mapped(v, vm, 2 * GB, 4), 4);
	KT_EXPECT_OK(t, case_delete(v, vm, 0));
	KT_EXPECT_EQ(t, mapped(v, vm, 2 * GB, 4), 0);
	KT_EXPECT(t, !flush_owed(v, vm));
}

static const struct kt_case native_npt_cases[] = {
	KT_CASE(two_slots_of_one_gmem_lose_their_translations),
	KT_CASE(gmem_zaps_carry_the_memorys_filter),
	KT_CASE(moves_and_attribute_changes_unmap),
	KT_CASE(backend_state_goes_back_with_the_vm),
	KT_CASE(vm_creation_out_of_memory_holds_nothing),
	KT_CASE(vm_with_the_most_vcpus_goes),
	KT_CASE(golden_leaves_are_read_only_and_split_on_write),
	KT_CASE(policy_zeroing_unmaps_the_other_slot),
};

const struct kt_suite native_npt_suite = {
	.name = "native_npt",
	.cases = native_npt_cases,
	.n_cases = ARRAY_SIZE(native_npt_cases),
	.unsupported = native_unsupported,
};
