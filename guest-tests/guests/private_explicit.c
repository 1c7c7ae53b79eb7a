// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/private_explicit.c - explicit conversions with the
 * KVM_HC_MAP_GPA_RANGE hypercall in a sw_protected VM (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

#define PG(gpa, n) ((gpa) + (n) * PAGE_SIZE)

/* KVM takes hypercalls only from CPL0. */
GUEST_PROGRAM_AT_CPL0();

void guest_main(u64 gpa, u64 len)
{
	guest_fill(gpa, len, PRIV_SHARED_SEED);
	GUEST_SYNC(1, 0);

	GUEST_ASSERT_EQ(guest_map_gpa_range(PG(gpa, 2), 4,
					    GMV_MAP_GPA_RANGE_ENCRYPTED), 0);
	/* Private pages are zero on first use, not the shared data. */
	GUEST_EXPECT_PATTERN(PG(gpa, 2), 4 * PAGE_SIZE, PATTERN_ZERO);
	guest_fill(PG(gpa, 2), 4 * PAGE_SIZE, PRIV_PRIVATE_SEED);
	GUEST_EXPECT_PATTERN(gpa, 2 * PAGE_SIZE, PRIV_SHARED_SEED);
	GUEST_EXPECT_PATTERN(PG(gpa, 6), 2 * PAGE_SIZE, PRIV_SHARED_SEED);
	GUEST_SYNC(2, 0);

	GUEST_ASSERT_EQ(guest_map_gpa_range(PG(gpa, 3), 1,
					    GMV_MAP_GPA_RANGE_DECRYPTED), 0);
	GUEST_EXPECT_PATTERN(PG(gpa, 3), PAGE_SIZE, PRIV_SHARED_SEED);
	GUEST_EXPECT_PATTERN(PG(gpa, 2), PAGE_SIZE, PRIV_PRIVATE_SEED);
	GUEST_EXPECT_PATTERN(PG(gpa, 4), 2 * PAGE_SIZE, PRIV_PRIVATE_SEED);
	guest_fill(PG(gpa, 3), PAGE_SIZE, PRIV_SHARED2_SEED);
	GUEST_SYNC(3, 0);
}
