// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/slot_move.c - a normal memslot moved to a new GPA:
 * the old GPA is no memory any more (MMIO exits), the data is at the new
 * one (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

#define LEN (SLOT_MOVE_PAGES * PAGE_SIZE)

void guest_main(u64 old, u64 new)
{
	guest_fill(old, LEN, SLOT_MOVE_SEED);
	GUEST_SYNC(1, 0);
	GUEST_ASSERT_EQ(guest_read_n(old + SLOT_MOVE_LOAD_OFF, 8),
			SLOT_MOVE_ANSWER);
	guest_write_n(old, 8, SLOT_MOVE_STORE);
	/* The words keep the pattern of the addresses they were written
	 * at. */
	for (u64 off = 0; off < LEN; off += 8)
		GUEST_ASSERT_EQ(guest_read_n(new + off, 8),
				pattern_word(SLOT_MOVE_SEED, old + off));
	GUEST_SYNC(2, 0);
}
