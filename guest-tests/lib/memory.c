// SPDX-License-Identifier: MIT
/*
 * guest-tests/lib/memory.c - guest-side pattern writes and checks over
 * identity-mapped guest memory, one 64-bit access per word.
 */
#include "guest-tests/lib/guest.h"
#include "lib/fmt.h"

void guest_fill(u64 gpa, u64 len, u64 seed)
{
	volatile u64 *w = (volatile u64 *)gpa;

	for (u64 i = 0; i < len / 8; i++)
		w[i] = pattern_word(seed, gpa + 8 * i);
}

void guest_expect_pattern_at(const char *file, int line, u64 gpa, u64 len,
			     u64 seed)
{
	volatile u64 *w = (volatile u64 *)gpa;
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
