// SPDX-License-Identifier: MIT
/*
 * tests/common/native_bindings_test.c - memslots seen from the invalidation
 * side: one gmem bound by two memslots of one VM (every binding is zapped
 * by a punch, a conversion and a release, and each slot reaches its own
 * part of the file), a normal slot moved to a new address (the old one is
 * zapped and unreachable), and a binding whose end is past 2^63.
 *
 * Without vCPUs there are no nested page tables, so a missing zap cannot
 * be seen in the data here: these cases look at the VM's zap log
 * (vm_zapped_since); guest-tests/cases/multislot.c catches the same bugs
 * by their data with a real guest.
 */
#include "hv/base/kmalloc.h"
#include "hv/vm.h"
#include "lib/mem.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)
#define GFN(gpa) ((gpa) >> 12)

static u8 buf[PG];

/*
 * One VM, one gmem of 16 pages bound twice: slot 0 maps file pages 0-3 at
 * 1 GiB, slot 1 file pages 8-11 at 2 GiB (bindings sorted by file offset:
 * slot 0's is the first).
 */
struct two_slots {
	int vm, g;
	struct vm *obj;
	u64 zaps, flushes;
};

#define A_GPA GB
#define B_GPA (2 * GB)
#define B_PGOFF 8

static bool two_slots_open(struct kt *t, struct vmm *v, struct two_slots *s,
			   unsigned long type, u64 flags)
{
	s->vm = CASE_OPEN(t, v->ops->create_vm(v, type));
	if (s->vm < 0)
		return false;
	s->g = CASE_OPEN(t, v->ops->create_gmem(v, s->vm, 16 * PG, flags));
	if (s->g < 0)
		return false;
	s->obj = vmm_native_vm(v, s->vm);
	return KT_EXPECT_OK(t,
			    case_bind(v, s->vm, 0, A_GPA, 4 * PG, s->g, 0)) &&
	       KT_EXPECT_OK(t, case_bind(v, s->vm, 1, B_GPA, 4 * PG, s->g,
					 B_PGOFF * PG));
}

static void two_slots_mark(struct two_slots *s)
{
	s->zaps = vm_zaps(s->obj)->nr_zaps;
	s->flushes = vm_zaps(s->obj)->nr_flushes;
}

/* Were [first, first + n) of slot 0 and of slot 1 zapped since the mark? */
static bool zapped_a(struct two_slots *s, u64 first, u64 n)
{
	return vm_zapped_since(s->obj, s->zaps, GFN(A_GPA) + first,
			       GFN(A_GPA) + first + n);
}

static bool zapped_b(struct two_slots *s, u64 first, u64 n)
{
	return vm_zapped_since(s->obj, s->zaps, GFN(B_GPA) + first,
			       GFN(B_GPA) + first + n);
}

/*
 * Catches an invalidation that zaps only the first binding of a view over
 * the range (the second slot would keep translations to freed pages), and
 * one that zaps a binding the range does not touch.
 */
NATIVE_CASE(punch_zaps_both_slots_of_one_gmem)
{
	struct two_slots s;

	if (!two_slots_open(t, v, &s, GMV_VM_DEFAULT, SHARED_FLAGS))
		return;
	two_slots_mark(&s);
	KT_EXPECT_OK(t, v->ops->fallocate(v, s.g, PUNCH, 0, 16 * PG));
	KT_EXPECT(t, zapped_a(&s, 0, 4));
	KT_EXPECT(t, zapped_b(&s, 0, 4));
	KT_EXPECT_EQ(t, vm_zaps(s.obj)->nr_zaps, s.zaps + 2);
	/* One flush for the VM, after both zaps. */
	KT_EXPECT_EQ(t, vm_zaps(s.obj)->nr_flushes, s.flushes + 1);

	/* Part of each binding: just those gfns. */
	two_slots_mark(&s);
	KT_EXPECT_OK(t, v->ops->fallocate(v, s.g, PUNCH, 2 * PG, 8 * PG));
	KT_EXPECT(t, zapped_a(&s, 2, 2));
	KT_EXPECT(t, zapped_b(&s, 0, 2));
	KT_EXPECT_EQ(t, vm_zaps(s.obj)->nr_zaps, s.zaps + 2);

	/* The second binding alone: slot 0 is left alone. */
	two_slots_mark(&s);
	KT_EXPECT_OK(t, v->ops->fallocate(v, s.g, PUNCH, 11 * PG, PG));
	KT_EXPECT(t, zapped_b(&s, 3, 1));
	KT_EXPECT_EQ(t, vm_zaps(s.obj)->nr_zaps, s.zaps + 1);

	/* Between the bindings: nothing is zapped, nothing flushed. */
	two_slots_mark(&s);
	KT_EXPECT_OK(t, v->ops->fallocate(v, s.g, PUNCH, 4 * PG, 4 * PG));
	KT_EXPECT_EQ(t, vm_zaps(s.obj)->nr_zaps, s.zaps);
	KT_EXPECT_EQ(t, vm_zaps(s.obj)->nr_flushes, s.flushes);
}

/* Catches a conversion whose invalidation stops at the first binding. */
NATIVE_CASE(convert_zaps_both_slots_of_one_gmem)
{
	struct two_slots s;
	u64 err_off;

	if (!two_slots_open(t, v, &s, GMV_VM_SW_PROTECTED, GMV_GMEM_FLAG_MMAP))
		return;
	/* A private-memory VM's gmem starts private: make it shared. */
	two_slots_mark(&s);
	KT_EXPECT_OK(t, v->ops->convert(v, s.g, 0, 16 * PG, false, &err_off));
	KT_EXPECT(t, zapped_a(&s, 0, 4));
	KT_EXPECT(t, zapped_b(&s, 0, 4));
	KT_EXPECT_EQ(t, vm_zaps(s.obj)->nr_flushes, s.flushes + 1);
	/* Private again, over both bindings and the gap between them. */
	two_slots_mark(&s);
	KT_EXPECT_OK(t,
		     v->ops->convert(v, s.g, 3 * PG, 6 * PG, true, &err_off));
	KT_EXPECT(t, zapped_a(&s, 3, 1));
	KT_EXPECT(t, zapped_b(&s, 0, 1));
	KT_EXPECT_EQ(t, vm_zaps(s.obj)->nr_zaps, s.zaps + 2);
}

/* Catches a release that zaps only the first binding of the view: the
 * second slot would keep translations to pages freed with the memory. */
NATIVE_CASE(closing_the_gmem_zaps_and_detaches_both_slots)
{
	struct two_slots s;
	struct vm_fault f;

	if (!two_slots_open(t, v, &s, GMV_VM_DEFAULT, SHARED_FLAGS))
		return;
	KT_EXPECT_OK(t, n_guest(v, s.vm, B_GPA, buf, 8, VM_ACCESS_WRITE, &f));
	two_slots_mark(&s);
	KT_EXPECT_OK(t, v->ops->close(v, s.g));
	KT_EXPECT(t, zapped_a(&s, 0, 4));
	KT_EXPECT(t, zapped_b(&s, 0, 4));
	KT_EXPECT_EQ(t, vm_zaps(s.obj)->nr_flushes, s.flushes + 1);
	KT_EXPECT_ERRNO(t, n_guest(v, s.vm, A_GPA, buf, 8, 0, &f), EFAULT);
	KT_EXPECT_ERRNO(t, n_guest(v, s.vm, B_GPA + 3 * PG, buf, 8, 0, &f),
			EFAULT);
}

/*
 * Catches a fault path that maps the second slot's gfns with the first
 * binding's offset (or the slot's own memory): each slot reaches its own
 * file pages, and a punch through the file shows in both.
 */
NATIVE_CASE(each_slot_reaches_its_own_file_pages)
{
	struct two_slots s;
	struct vm_fault f;
	u8 a[8] = "slot-a..", b[8] = "slot-b..", out[8];

	if (!two_slots_open(t, v, &s, GMV_VM_DEFAULT, SHARED_FLAGS))
		return;
	KT_EXPECT_OK(t,
		     n_guest(v, s.vm, A_GPA + PG, a, 8, VM_ACCESS_WRITE, &f));
	KT_EXPECT(t, f.from_gmem);
	KT_EXPECT_OK(t,
		     n_guest(v, s.vm, B_GPA + PG, b, 8, VM_ACCESS_WRITE, &f));
	KT_EXPECT(t, f.from_gmem);
	KT_EXPECT_OK(t, v->ops->host_read(v, s.g, PG, out, 8));
	KT_EXPECT_MEM_EQ(t, out, a, 8);
	KT_EXPECT_OK(t, v->ops->host_read(v, s.g, (B_PGOFF + 1) * PG, out, 8));
	KT_EXPECT_MEM_EQ(t, out, b, 8);
	/* The host's data in page 10 shows at slot 1's page 2. */
	KT_EXPECT_OK(t, v->ops->host_write(v, s.g, (B_PGOFF + 2) * PG, a, 8));
	KT_EXPECT_OK(t, n_guest(v, s.vm, B_GPA + 2 * PG, out, 8, 0, &f));
	KT_EXPECT_MEM_EQ(t, out, a, 8);
	/* One punch over the whole file: both slots read zeros. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, s.g, PUNCH, 0, 16 * PG));
	memset(out, 0xff, 8);
	KT_EXPECT_OK(t, n_guest(v, s.vm, A_GPA + PG, out, 8, 0, &f));
	KT_EXPECT(t, mem_is_zero(out, 8));
	memset(out, 0xff, 8);
	KT_EXPECT_OK(t, n_guest(v, s.vm, B_GPA + PG, out, 8, 0, &f));
	KT_EXPECT(t, mem_is_zero(out, 8));
}

/*
 * Catches moving a normal memslot without zapping and flushing its old
 * range: translations at the old address would survive the move.
 */
NATIVE_CASE(moved_slot_zaps_its_old_range)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	struct vm *obj = vmm_native_vm(v, vm);
	u8 in[8] = "moved...", out[8];
	struct vm_fault f;
	u64 zaps, flushes;

	if (vm < 0)
		return;
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, 4 * PG, -1, 0));
	KT_EXPECT_OK(t, n_guest(v, vm, GB + PG, in, 8, VM_ACCESS_WRITE, &f));
	zaps = vm_zaps(obj)->nr_zaps;
	flushes = vm_zaps(obj)->nr_flushes;
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, 3 * GB, 4 * PG, -1, 0));
	KT_EXPECT(t, vm_zapped_since(obj, zaps, GFN(GB), GFN(GB) + 4));
	KT_EXPECT_EQ(t, vm_zaps(obj)->nr_flushes, flushes + 1);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* The old address is no memory now; the data moved along. */
	KT_EXPECT_ERRNO(t, n_guest(v, vm, GB + PG, out, 8, 0, &f), ENOENT);
	KT_EXPECT_EQ(t, f.exit_reason, GMV_EXIT_MMIO);
	KT_EXPECT_EQ(t, f.exit_gpa, GB + PG);
	KT_EXPECT_OK(t, n_guest(v, vm, 3 * GB + PG, out, 8, 0, &f));
	KT_EXPECT_MEM_EQ(t, out, in, 8);
	/* Re-issuing the slot where it is moves nothing and zaps nothing. */
	zaps = vm_zaps(obj)->nr_zaps;
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, 3 * GB, 4 * PG, -1, 0));
	KT_EXPECT_EQ(t, vm_zaps(obj)->nr_zaps, zaps);
}

/* The last guest frame (kvm_mmu_max_gfn() with 52-bit guest addresses). */
#define LAST_GPA ((1ULL << 52) - PG)

/*
 * Catches a move checked against the address limit one page short: a
 * slot may move to end exactly at the last guest frame, not one page
 * past it.
 */
NATIVE_CASE(slot_moves_up_to_the_last_gfn)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return;
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, 4 * PG, -1, 0));
	KT_EXPECT_ERRNO(
		t, case_region(v, vm, 0, 0, LAST_GPA - 2 * PG, 4 * PG, -1, 0),
		EINVAL);
	KT_EXPECT_OK(
		t, case_region(v, vm, 0, 0, LAST_GPA - 3 * PG, 4 * PG, -1, 0));
}

/* Catches the address limit of a new slot one page short: a slot may
 * end exactly at the last guest frame. */
NATIVE_CASE(slot_created_up_to_the_last_gfn)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return;
	KT_EXPECT_ERRNO(
		t, case_region(v, vm, 0, 0, LAST_GPA - 2 * PG, 4 * PG, -1, 0),
		EINVAL);
	KT_EXPECT_OK(
		t, case_region(v, vm, 0, 0, LAST_GPA - 3 * PG, 4 * PG, -1, 0));
}

/*
 * Catches a move that checks the address limit before it has the memory
 * it needs: like Linux (kvm_set_memory_region() allocates the new slot
 * before kvm_arch_prepare_memory_region() looks at its gfns), a move out
 * of memory fails with ENOMEM whatever its address.
 */
NATIVE_CASE(move_out_of_memory_is_enomem_first)
{
	int failures = 0, wrong = 0;

	for (u64 n = 1; n < 8; n++) {
		int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
		int r;

		if (vm < 0)
			return;
		/* Four slots fill the slot index: a move must grow it. */
		for (u32 i = 0; i < 4; i++)
			KT_EXPECT_OK(t, case_region(v, vm, i, 0, GB + i * SZ2M,
						    4 * PG, -1, 0));
		kmalloc_fail_nth(n);
		r = case_region(v, vm, 0, 0, LAST_GPA, 4 * PG, -1, 0);
		kmalloc_fail_nth(0);
		if (r == -EINVAL)
			break;
		failures++;
		wrong += r != -ENOMEM;
		v->ops->reset(v);
	}
	KT_EXPECT_GE(t, failures, 1);
	KT_EXPECT_EQ(t, wrong, 0);
}

/*
 * Catches a zap log lookup that matches a range by one end only, looks
 * at a zap before 'since' (or one slot past the last zap), so that the
 * checks of this suite could pass on a zap that did not happen.
 */
NATIVE_CASE(zap_log_matches_exact_ranges_since)
{
	struct two_slots s;
	u64 since;

	if (!two_slots_open(t, v, &s, GMV_VM_DEFAULT, SHARED_FLAGS))
		return;
	two_slots_mark(&s);
	since = s.zaps;
	KT_EXPECT_OK(t, v->ops->fallocate(v, s.g, PUNCH, PG, 2 * PG));
	KT_EXPECT(t, zapped_a(&s, 1, 2));
	KT_EXPECT(t, !vm_zapped_since(s.obj, since, GFN(A_GPA) + 1,
				      GFN(A_GPA) + 4));
	KT_EXPECT(t,
		  !vm_zapped_since(s.obj, since, GFN(A_GPA), GFN(A_GPA) + 3));
	/* Nothing since the last zap, even after the log wrapped. */
	for (int i = 0; i < VM_ZAP_LOG + 1; i++)
		v->ops->fallocate(v, s.g, PUNCH, PG, 2 * PG);
	since = vm_zaps(s.obj)->nr_zaps;
	KT_EXPECT(t, !vm_zapped_since(s.obj, since, GFN(A_GPA) + 1,
				      GFN(A_GPA) + 3));
	KT_EXPECT(t, vm_zapped_since(s.obj, since - 1, GFN(A_GPA) + 1,
				     GFN(A_GPA) + 3));
}

/*
 * Catches an attribute change that zaps a slot past its range, or the
 * slot that starts where the range ends: only the covered parts of the
 * slots the range touches are zapped.
 */
NATIVE_CASE(attribute_change_zaps_only_the_slots_it_covers)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	struct vm *obj = vmm_native_vm(v, vm);
	u64 zaps;

	if (vm < 0)
		return;
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, 4 * PG, -1, 0));
	KT_EXPECT_OK(t, case_region(v, vm, 1, 0, GB + 4 * PG, 4 * PG, -1, 0));
	KT_EXPECT_OK(t, case_region(v, vm, 2, 0, 2 * GB, 4 * PG, -1, 0));
	zaps = vm_zaps(obj)->nr_zaps;
	KT_EXPECT_OK(t,
		     v->ops->set_attributes(v, vm, GB + 2 * PG, 2 * PG,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT_EQ(t, vm_zaps(obj)->nr_zaps, zaps + 1);
	KT_EXPECT(t, vm_zapped_since(obj, zaps, GFN(GB) + 2, GFN(GB) + 4));
}

/* Catches the slot size limit one page short: a slot of exactly
 * KVM_MEM_MAX_NR_PAGES pages is allowed. */
NATIVE_CASE(slot_of_the_most_pages)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	u64 most = GMV_MEM_MAX_NR_PAGES * PG;

	if (vm < 0)
		return;
	KT_EXPECT_ERRNO(t, case_region(v, vm, 0, 0, 0, most + PG, -1, 0),
			EINVAL);
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, 0, most, -1, 0));
}

/*
 * Catches native taking over Linux's loff_t bug in kvm_gmem_bind: summed
 * as a signed 64-bit number, offset 2^63 - 4 KiB plus an 8 KiB slot wraps
 * negative and passes the EOF check. Native sums as u64 and refuses the
 * range (README, deliberate differences); no conformance case can check
 * this, since Linux answers otherwise.
 */
NATIVE_CASE(binding_ending_past_2_63_is_refused)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 4 * PG, 0));
	u64 top = 1ULL << 63;

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, 2 * PG, g, top - PG),
			EINVAL);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, 16 * PG, g, top - 8 * PG),
			EINVAL);
	/* Ending exactly at 2^63 is past EOF too. */
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, PG, g, top - PG), EINVAL);
	/* None of them made slot 0 (a gmem slot cannot be re-issued): the
	 * whole file binds there. */
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0));
}

static const struct kt_case native_bindings_cases[] = {
	KT_CASE(punch_zaps_both_slots_of_one_gmem),
	KT_CASE(convert_zaps_both_slots_of_one_gmem),
	KT_CASE(closing_the_gmem_zaps_and_detaches_both_slots),
	KT_CASE(each_slot_reaches_its_own_file_pages),
	KT_CASE(moved_slot_zaps_its_old_range),
	KT_CASE(slot_moves_up_to_the_last_gfn),
	KT_CASE(slot_created_up_to_the_last_gfn),
	KT_CASE(move_out_of_memory_is_enomem_first),
	KT_CASE(zap_log_matches_exact_ranges_since),
	KT_CASE(attribute_change_zaps_only_the_slots_it_covers),
	KT_CASE(slot_of_the_most_pages),
	KT_CASE(binding_ending_past_2_63_is_refused),
};

const struct kt_suite native_bindings_suite = {
	.name = "native_bindings",
	.cases = native_bindings_cases,
	.n_cases = ARRAY_SIZE(native_bindings_cases),
	.unsupported = native_unsupported,
};
