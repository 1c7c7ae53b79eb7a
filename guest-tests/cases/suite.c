// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/suite.c - the guest-level suite: every group of
 * guest cases under one parent.
 */
#include "guest-tests/cases/cases.h"

static const struct kt_suite *const groups[] = {
	&guest_harness_suite, &guest_shared_suite,  &guest_exits_suite,
	&guest_private_suite, &guest_inplace_suite, &guest_views_suite,
};

const struct kt_suite guest_suite = {
	.name = "guest",
	.children = groups,
	.n_children = ARRAY_SIZE(groups),
};
