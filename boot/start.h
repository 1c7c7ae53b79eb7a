/* SPDX-License-Identifier: MIT */
/*
 * boot/start.h - the hand-over from the UEFI entry (boot/efi_main.c) to
 * the payload proper, which runs after ExitBootServices on its own
 * console, descriptor tables, page tables and stack, then runs the tests.
 */
#ifndef GMV_BOOT_START_H
#define GMV_BOOT_START_H

#include "boot/options.h"
#include "lib/types.h"

/* What efi_main learnt while boot services were still there. */
struct boot_args {
	u64 image_base; /* LoadedImage->ImageBase */
	char cmdline[OPT_TEXT_MAX]; /* LoadOptions as ASCII, maybe "" */
	int cmdline_err; /* options_from_ucs2() result */
};

/* Boot services are gone and interrupts may be on; never returns. */
__noreturn void boot_start(const struct boot_args *args);

#endif
