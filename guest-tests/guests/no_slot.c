// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/no_slot.c - stores and loads of each size at a GPA
 * no memslot covers; the host sees and answers them (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

static u64 truncated(u64 v, int size)
{
	return size == 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

void guest_main(u64 gpa, u64 unused)
{
	for (int size = 1; size <= 8; size *= 2) {
		u64 at = NO_SLOT_ADDR(gpa, size);

		guest_write_n(at, size, NO_SLOT_STORE);
		GUEST_ASSERT_EQ(guest_read_n(at, size),
				truncated(NO_SLOT_ANSWER, size));
	}
}
