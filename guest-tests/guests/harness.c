// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/harness.c - exercises the report channel and port
 * I/O in both directions; ends with a deliberately failing assertion so
 * the host can check what a guest assertion delivers (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

void guest_main(u64 key, u64 mask)
{
	u32 in;

	GUEST_SYNC(1, key ^ mask);
	outb(GUEST_TEST_PORT, HARNESS_OUT8);
	outw(GUEST_TEST_PORT, HARNESS_OUT16);
	outl(GUEST_TEST_PORT, HARNESS_OUT32);
	in = inl(GUEST_TEST_PORT);
	GUEST_ASSERT_EQ(in, (u32)~key);
	GUEST_PRINTF("harness: IN gave %#x", in);
	GUEST_SYNC(2, __LINE__ + 1);
	GUEST_ASSERT_EQ(in, mask); /* fails on purpose: in == ~key */
}
