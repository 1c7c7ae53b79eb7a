// SPDX-License-Identifier: MIT
/*
 * lib/mem.c - memset/memcpy & co. for freestanding builds (payload, guests).
 * The compiler emits calls to these even with -ffreestanding, so they must
 * exist; the host build uses libc's instead and does not compile this file.
 */
#include "lib/mem.h"

/*
 * Eight bytes per iteration, then the tail: under QEMU's TCG a "rep stosb"
 * costs about as much per byte as "rep stosq" does per quadword (64 MiB:
 * 106 ms against 15 ms), and the allocator zeroes every page it hands out.
 */
void *memset(void *dst, int c, size_t n)
{
	u64 v = 0x0101010101010101ULL * (u8)c;
	size_t q = n / 8, r = n % 8;
	void *d = dst;

	asm volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
	asm volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(v) : "memory");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	size_t q = n / 8, r = n % 8;
	void *d = dst;

	asm volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(q) : : "memory");
	asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(r) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}
