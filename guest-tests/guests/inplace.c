// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/inplace.c - in-place guest_memfd conversion seen
 * from the guest (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

void guest_main(u64 gpa, u64 len)
{
	u64 mid = gpa + PAGE_SIZE, mid_len = 2 * PAGE_SIZE;
	u64 last = gpa + 3 * PAGE_SIZE;

	guest_fill(gpa, len, INPLACE_SEED);
	GUEST_SYNC(1, 0);
	guest_fill(mid, mid_len, INPLACE_PRIVATE_SEED);
	GUEST_EXPECT_PATTERN(mid, mid_len, INPLACE_PRIVATE_SEED);
	GUEST_EXPECT_PATTERN(gpa, PAGE_SIZE, INPLACE_SEED);
	GUEST_EXPECT_PATTERN(last, PAGE_SIZE, INPLACE_SEED);
	GUEST_SYNC(2, 0);
	GUEST_EXPECT_PATTERN(mid, mid_len, INPLACE_HOST_SEED);
	GUEST_EXPECT_PATTERN(gpa, PAGE_SIZE, INPLACE_SEED);
	GUEST_EXPECT_PATTERN(last, PAGE_SIZE, INPLACE_SEED);
}
