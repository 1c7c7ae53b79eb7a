// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/suite.c - the groups of the guest-level suite
 * (GUEST_SUITE), in run order.
 */
#include "guest-tests/cases/cases.h"

const struct kt_suite *const guest_groups[] = {
	&guest_harness_suite, &guest_shared_suite,  &guest_exits_suite,
	&guest_private_suite, &guest_inplace_suite, &guest_views_suite,
	&guest_golden_suite,  &guest_slots_suite,   &guest_snp_suite,
	&guest_tdx_suite,
};

_Static_assert(ARRAY_SIZE(guest_groups) == GUEST_NR_GROUPS,
	       "GUEST_NR_GROUPS is the number of guest_groups[]");
