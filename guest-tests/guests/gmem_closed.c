// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/gmem_closed.c - a guest access after the bound
 * guest_memfd was released is a memory-fault exit; after the host binds
 * a fresh guest_memfd the access completes on zeroed memory (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

void guest_main(u64 gpa, u64 len)
{
	guest_fill(gpa, len, GMEM_CLOSED_SEED);
	GUEST_SYNC(1, 0);
	GUEST_ASSERT_EQ(guest_read_n(gpa + GMEM_CLOSED_LOAD_OFF, 8), 0);
	GUEST_EXPECT_PATTERN(gpa, len, PATTERN_ZERO);
	guest_fill(gpa, len, GMEM_CLOSED_NEW_SEED);
	GUEST_SYNC(2, 0);
}
