// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/golden.c - a VM on a golden image, or one whose
 * memory a rebinding policy hands on (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

void guest_main(u64 gpa, u64 mode)
{
	u64 page = gpa + GOLDEN_PAGE * PAGE_SIZE;

	switch (mode) {
	case GOLDEN_FILL:
		guest_fill(gpa, GOLDEN_LEN, GOLDEN_FILL_SEED);
		return;
	case GOLDEN_ZERO:
		GUEST_EXPECT_PATTERN(gpa, GOLDEN_LEN, PATTERN_ZERO);
		return;
	}
	GUEST_EXPECT_PATTERN(gpa, GOLDEN_LEN, GOLDEN_SEED);
	if (mode != GOLDEN_WRITER)
		return;
	guest_fill(page, PAGE_SIZE, GOLDEN_WRITE_SEED);
	GUEST_EXPECT_PATTERN(page, PAGE_SIZE, GOLDEN_WRITE_SEED);
	GUEST_SYNC(1, 0);
	GUEST_EXPECT_PATTERN(gpa, GOLDEN_LEN, GOLDEN_SEED);
}
