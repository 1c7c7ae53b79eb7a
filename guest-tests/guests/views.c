// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/views.c - two VMs share guest_memfd memory through
 * two views (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

void guest_main(u64 gpa, u64 mode)
{
	if (mode == VIEWS_READER) {
		GUEST_EXPECT_PATTERN(gpa, VIEWS_LEN, VIEWS_A_SEED);
		guest_fill(gpa, VIEWS_LEN, VIEWS_B_SEED);
		return;
	}
	guest_fill(gpa, VIEWS_LEN, VIEWS_A_SEED);
	GUEST_SYNC(1, 0);
	GUEST_EXPECT_PATTERN(gpa, VIEWS_LEN, VIEWS_B_SEED);
	GUEST_SYNC(2, 0);
	GUEST_EXPECT_PATTERN(gpa, PAGE_SIZE, PATTERN_ZERO);
	GUEST_EXPECT_PATTERN(gpa + PAGE_SIZE, VIEWS_LEN - PAGE_SIZE,
			     VIEWS_B_SEED);
}
