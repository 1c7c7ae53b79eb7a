// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/two_slots_release.c - one gmem bound by two memslots
 * is closed: the second slot is no memory either (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

#define LEN (TWO_SLOTS_PAGES * PAGE_SIZE)

void guest_main(u64 a, u64 b)
{
	u64 word;

	guest_fill(a, LEN, TWO_SLOTS_A_SEED);
	guest_fill(b, LEN, TWO_SLOTS_B_SEED);
	GUEST_SYNC(1, 0);
	/* The host ends the run at this load's memory-fault exit. */
	word = guest_read_n(b + TWO_SLOTS_LOAD_OFF, 8);
	GUEST_PRINTF("loaded %#llx from a released gmem",
		     (unsigned long long)word);
	GUEST_ASSERT(0);
}
