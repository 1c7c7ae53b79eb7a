// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/two_slots_convert.c - one gmem bound by two memslots
 * of a sw_protected VM: pages converted in place at the end of one slot
 * and the start of the other keep their data (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

#define LEN (TWO_SLOTS_PAGES * PAGE_SIZE)

void guest_main(u64 a, u64 b)
{
	u64 a_last = a + LEN - PAGE_SIZE;

	guest_fill(a, LEN, TWO_SLOTS_A_SEED);
	guest_fill(b, LEN, TWO_SLOTS_B_SEED);
	GUEST_SYNC(1, 0);
	GUEST_EXPECT_PATTERN(a, LEN, TWO_SLOTS_A_SEED);
	GUEST_EXPECT_PATTERN(b, LEN, TWO_SLOTS_B_SEED);
	guest_fill(a_last, PAGE_SIZE, TWO_SLOTS_PRIVATE_SEED);
	guest_fill(b, PAGE_SIZE, TWO_SLOTS_PRIVATE_SEED);
	GUEST_SYNC(2, 0);
	GUEST_EXPECT_PATTERN(a_last, PAGE_SIZE, TWO_SLOTS_PRIVATE_SEED);
	GUEST_EXPECT_PATTERN(b, PAGE_SIZE, TWO_SLOTS_PRIVATE_SEED);
}
