// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/split_merge.c - converting one 4 KiB page inside a
 * 2 MiB range and back, and a whole 2 MiB range, keeps every other page
 * intact (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

void guest_main(u64 gpa, u64 len)
{
	u64 page = gpa + SPLIT_PAGE * PAGE_SIZE, end = page + PAGE_SIZE;
	u64 second = gpa + SZ_2M;

	guest_fill(gpa, len, SPLIT_SEED);
	GUEST_SYNC(1, 0);
	guest_fill(page, PAGE_SIZE, SPLIT_PRIVATE_SEED);
	GUEST_EXPECT_PATTERN(gpa, page - gpa, SPLIT_SEED);
	GUEST_EXPECT_PATTERN(end, gpa + len - end, SPLIT_SEED);
	GUEST_SYNC(2, 0);
	GUEST_EXPECT_PATTERN(gpa, page - gpa, SPLIT_SEED);
	GUEST_EXPECT_PATTERN(page, PAGE_SIZE, SPLIT_HOST_SEED);
	GUEST_EXPECT_PATTERN(end, second - end, SPLIT_SEED);
	GUEST_EXPECT_PATTERN(second, SZ_2M, SPLIT_SEED);
	guest_fill(second, SZ_2M, SPLIT_PRIVATE_SEED);
	GUEST_SYNC(3, 0);
}
