/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/lib/pattern.h - the data patterns test guests and the host
 * write and verify. A pattern is named by a seed; its 64-bit word at guest
 * physical address gpa (8-byte aligned) depends on both, so pages can
 * neither alias each other nor be confused across seeds. Seed
 * PATTERN_ZERO is all zeros (fresh or punched memory).
 */
#ifndef GMV_GUEST_TESTS_LIB_PATTERN_H
#define GMV_GUEST_TESTS_LIB_PATTERN_H

#include "lib/types.h"

#define PATTERN_ZERO 0ULL

static inline u64 pattern_word(u64 seed, u64 gpa)
{
	u64 x;

	if (seed == PATTERN_ZERO)
		return 0;
	x = gpa ^ (seed * 0x9e3779b97f4a7c15ULL);
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x | 1; /* never zero: zero is PATTERN_ZERO's */
}

/*
 * Index of the first 64-bit word of buf (holding len bytes of guest memory
 * from gpa on) that differs from the pattern, or len / 8 if none does.
 */
static inline size_t pattern_mismatch(const void *buf, size_t len, u64 gpa,
				      u64 seed)
{
	const u64 *w = buf;

	for (size_t i = 0; i < len / 8; i++)
		if (w[i] != pattern_word(seed, gpa + 8 * i))
			return i;
	return len / 8;
}

#endif
