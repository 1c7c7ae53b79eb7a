// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/two_slots_punch.c - one gmem bound by two memslots: a
 * hole punched over the whole file reads as zeros through both, and new
 * pages in one slot never show through the other (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

#define LEN (TWO_SLOTS_PAGES * PAGE_SIZE)

void guest_main(u64 a, u64 b)
{
	guest_fill(a, LEN, TWO_SLOTS_A_SEED);
	guest_fill(b, LEN, TWO_SLOTS_B_SEED);
	GUEST_SYNC(1, 0);
	GUEST_EXPECT_PATTERN(a, LEN, TWO_SLOTS_HOST_SEED);
	GUEST_EXPECT_PATTERN(b, LEN, PATTERN_ZERO);
	guest_fill(b, LEN, TWO_SLOTS_B2_SEED);
	GUEST_SYNC(2, 0);
}
