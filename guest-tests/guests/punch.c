// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/punch.c - the host punches a hole while the guest
 * runs; the guest then reads zeros there and can refill it (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

void guest_main(u64 gpa, u64 len)
{
	u64 hole = gpa + PUNCH_HOLE_FIRST * PAGE_SIZE;
	u64 hole_len = PUNCH_HOLE_COUNT * PAGE_SIZE;
	u64 host = gpa + PUNCH_HOST_PAGE * PAGE_SIZE;

	guest_fill(gpa, len, PUNCH_SEED);
	GUEST_SYNC(1, 0);
	GUEST_EXPECT_PATTERN(gpa, hole - gpa, PUNCH_SEED);
	GUEST_EXPECT_PATTERN(hole, hole_len, PATTERN_ZERO);
	GUEST_EXPECT_PATTERN(hole + hole_len, host - (hole + hole_len),
			     PUNCH_SEED);
	GUEST_EXPECT_PATTERN(host, PAGE_SIZE, PUNCH_HOST_SEED);
	GUEST_EXPECT_PATTERN(host + PAGE_SIZE, gpa + len - (host + PAGE_SIZE),
			     PUNCH_SEED);
	guest_fill(hole, hole_len, PUNCH_REFILL_SEED);
	GUEST_SYNC(2, 0);
}
