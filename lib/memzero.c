// SPDX-License-Identifier: MIT
/* lib/memzero.c - helpers over the memory routines, for every build. */
#include "lib/mem.h"

bool mem_is_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n && ((uintptr_t)b & 7)) {
		if (*b++)
			return false;
		n--;
	}
	for (; n >= 8; n -= 8, b += 8)
		if (*(const u64 *)b)
			return false;
	while (n--)
		if (*b++)
			return false;
	return true;
}
