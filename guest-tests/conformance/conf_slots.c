// SPDX-License-Identifier: MIT
/*
 * guest-tests/conformance/conf_slots.c - memslot ranges at their edges
 * (virt/kvm/kvm_main.c kvm_set_memory_region() and
 * kvm_check_memslot_overlap()): slots that touch do not overlap, and a
 * guest_memfd offset that wraps is refused before the overlap check.
 */
#include "guest-tests/conformance/conf.h"

#define GB (1ULL << 30)

/* Catches an overlap check that counts a slot starting where the new one
 * ends (or ending where it starts) as overlapping. */
CONF_CASE(g65_touching_slots_do_not_overlap)
{
	int vm, g = conf_new_gmem(t, v, &vm, 16, 0);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, 4 * PG, -1, 0));
	/* Just below and just above, normal and gmem. */
	KT_EXPECT_OK(t, case_region(v, vm, 1, 0, GB - 4 * PG, 4 * PG, -1, 0));
	KT_EXPECT_OK(t, case_bind(v, vm, 2, GB + 4 * PG, 4 * PG, g, 0));
	KT_EXPECT_OK(t, case_bind(v, vm, 3, GB - 8 * PG, 4 * PG, g, 4 * PG));
	/* A slot moved to touch another. */
	KT_EXPECT_OK(t, case_region(v, vm, 4, 0, 2 * GB, 4 * PG, -1, 0));
	KT_EXPECT_OK(t, case_region(v, vm, 4, 0, GB + 8 * PG, 4 * PG, -1, 0));
	/* One page more is an overlap. */
	KT_EXPECT_ERRNO(t, case_region(v, vm, 5, 0, GB - 9 * PG, 2 * PG, -1, 0),
			EEXIST);
}

/* Catches a wrapping guest_memfd offset checked after the GPA overlap:
 * the offset is refused first, whatever the GPA. */
CONF_CASE(g59_wrapping_offset_einval_before_overlap)
{
	int vm, g = conf_new_gmem(t, v, &vm, 16, 0);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, 4 * PG, -1, 0));
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 1, GB, 2 * PG, g, ~0ULL - PG + 1),
			EINVAL);
	KT_EXPECT_ERRNO(
		t, case_bind(v, vm, 1, GB + PG, 4 * PG, g, ~0ULL - 2 * PG + 1),
		EINVAL);
	/* Without the wrap the overlap is what is wrong. */
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 1, GB, 2 * PG, g, 0), EEXIST);
}
