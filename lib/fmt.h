/* SPDX-License-Identifier: MIT */
/*
 * lib/fmt.h - a small printf-style formatter usable without libc.
 * Conversions: %d %i %u %x %X %o %c %s %p %%, flags '-' '0' '#', a width
 * (number or '*'), a precision for %s, and the length modifiers hh h l ll z j.
 */
#ifndef GMV_LIB_FMT_H
#define GMV_LIB_FMT_H

#include "lib/types.h"

/* Like vsnprintf: writes at most n-1 characters plus a NUL (when n > 0) and
 * returns the length the full output would have had. */
int gmv_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int gmv_snprintf(char *buf, size_t n, const char *fmt, ...) __printf(3, 4);

#endif
