// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/slot_delete.c - accesses to the GPA of a deleted
 * memslot leave the guest as MMIO; re-creating the slot on the same
 * guest_memfd brings the data back (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

void guest_main(u64 gpa, u64 len)
{
	guest_fill(gpa, len, SLOT_DELETE_SEED);
	GUEST_SYNC(1, 0);
	guest_write_n(gpa + SLOT_DELETE_STORE_OFF, 8, SLOT_DELETE_STORE);
	GUEST_ASSERT_EQ(guest_read_n(gpa + SLOT_DELETE_LOAD_OFF, 8),
			SLOT_DELETE_ANSWER);
	GUEST_SYNC(2, 0);
	GUEST_EXPECT_PATTERN(gpa, len, SLOT_DELETE_SEED);
}
