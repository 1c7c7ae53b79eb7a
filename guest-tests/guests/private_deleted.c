// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/private_deleted.c - a private access to a deleted
 * memslot exits as a private memory fault; once the slot is back on the
 * same guest_memfd the private data is still there (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

void guest_main(u64 gpa, u64 len)
{
	guest_fill(gpa, len, PRIV_DEL_SEED);
	GUEST_SYNC(1, 0);
	GUEST_EXPECT_PATTERN(gpa, len, PRIV_DEL_SEED);
}
