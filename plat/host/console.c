// SPDX-License-Identifier: MIT
/*
 * plat/host/console.c - the console of the host build (lib/console.h):
 * text goes to stdout, and a fatal error aborts after flushing it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lib/console.h"

void plat_console_write(const char *s, size_t len)
{
	fwrite(s, 1, len, stdout);
}

void plat_fail(void)
{
	fflush(stdout);
	abort();
}
