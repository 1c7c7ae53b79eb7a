// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/shared_rw.c - guest and host exchange data through
 * shared guest_memfd memory (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

void guest_main(u64 gpa, u64 len)
{
	guest_fill(gpa, len, SHARED_RW_GUEST_SEED);
	GUEST_SYNC(1, 0);
	GUEST_EXPECT_PATTERN(gpa, len, SHARED_RW_HOST_SEED);
}
