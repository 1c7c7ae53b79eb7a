/* SPDX-License-Identifier: MIT */
/*
 * lib/console.h - printing and the panic path, over a platform sink.
 *
 * The platform (boot/ in the payload, host/ on Linux) supplies
 * plat_console_write() and plat_fail(); everything else prints through
 * kprintf() so the same code reports the same way in every build.
 */
#ifndef GMV_LIB_CONSOLE_H
#define GMV_LIB_CONSOLE_H

#include "lib/types.h"

/* Provided by the platform. */
void plat_console_write(const char *s, size_t len);
__noreturn void plat_fail(void);

int kprintf(const char *fmt, ...) __printf(1, 2);
int kvprintf(const char *fmt, va_list ap);
void kputs(const char *s);

/* Print "PANIC at file:line: message" and end the run as a failure. */
__noreturn void panic_at(const char *file, int line, const char *fmt, ...)
	__printf(3, 4);
#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

#define BUG_ON(cond)                                            \
	do {                                                    \
		if (unlikely(cond))                             \
			panic("BUG_ON(%s)", #cond);             \
	} while (0)

#endif
