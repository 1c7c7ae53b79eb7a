// SPDX-License-Identifier: MIT
/* lib/console.c - kprintf and panic over the platform console. */
#include "lib/console.h"
#include "lib/fmt.h"
#include "lib/mem.h"

int kvprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = gmv_vsnprintf(buf, sizeof(buf), fmt, ap);

	plat_console_write(buf, n < (int)sizeof(buf) ? (size_t)n :
						      sizeof(buf) - 1);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

void kputs(const char *s)
{
	plat_console_write(s, strlen(s));
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	kprintf("\nPANIC at %s:%d: ", file, line);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kputs("\n");
	plat_fail();
}
