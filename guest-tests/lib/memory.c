// SPDX-License-Identifier: MIT
/*
 * guest-tests/lib/memory.c - guest-side pattern writes and checks over
 * guest memory, one 64-bit access per word: at the identity map, or at
 * an alias of it (a confidential guest's private view).
 */
#include "guest-tests/lib/guest.h"
#include "lib/fmt.h"

void guest_fill_via(u64 va, u64 gpa, u64 len, u64 seed)
{
	volatile u64 *w = (volatile u64 *)va;

	for (u64 i = 0; i < len / 8; i++)
		w[i] = pattern_word(seed, gpa + 8 * i);
}

void guest_fill(u64 gpa, u64 len, u64 seed)
{
	guest_fill_via(gpa, gpa, len, seed);
}

void guest_expect_pattern_via(const char *file, int line, u64 va, u64 gpa,
			      u64 len, u64 seed)
{
	volatile u64 *w = (volatile u64 *)va;
	char text[UCALL_TEXT_LEN];

	for (u64 i = 0; i < len / 8; i++) {
		u64 want = pattern_word(seed, gpa + 8 * i), got = w[i];

		if (got == want)
			continue;
		gmv_snprintf(text, sizeof(text),
			     "pattern %#llx at gpa %#llx: got == want",
			     (unsigned long long)seed,
			     (unsigned long long)(gpa + 8 * i));
		guest_assert_fail(file, line, text, true, got, want);
	}
}

void guest_expect_pattern_at(const char *file, int line, u64 gpa, u64 len,
			     u64 seed)
{
	guest_expect_pattern_via(file, line, gpa, gpa, len, seed);
}
