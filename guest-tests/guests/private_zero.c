// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/private_zero.c - private pages are zero on first
 * use and their contents stay out of the host's view (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

void guest_main(u64 gpa, u64 len)
{
	GUEST_EXPECT_PATTERN(gpa, len, PATTERN_ZERO);
	guest_fill(gpa, len, PRIV_ZERO_GUEST_SEED);
	GUEST_SYNC(1, 0);
	GUEST_EXPECT_PATTERN(gpa, len, PRIV_ZERO_HOST_SEED);
}
