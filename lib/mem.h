/* SPDX-License-Identifier: MIT */
/*
 * lib/mem.h - the C library memory and string routines that freestanding
 * builds provide themselves (lib/mem.c) and the host build takes from libc.
 */
#ifndef GMV_LIB_MEM_H
#define GMV_LIB_MEM_H

#include "lib/types.h"

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* True if every byte of [p, p+n) is zero. */
bool mem_is_zero(const void *p, size_t n);

#endif
