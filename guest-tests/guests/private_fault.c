// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/private_fault.c - a private access the host did not
 * back with guest_memfd exits as a memory fault; the host converts the
 * page to shared and the access completes (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

void guest_main(u64 gpa, u64 len)
{
	GUEST_EXPECT_PATTERN(gpa, PAGE_SIZE, PRIV_FAULT_SEED);
	GUEST_EXPECT_PATTERN(gpa + PAGE_SIZE, len - PAGE_SIZE,
			     PRIV_FAULT_SEED);
}
