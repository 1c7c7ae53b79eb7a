// SPDX-License-Identifier: MIT
/*
 * guest-tests/lib/entry.c - the image header and the first instruction of
 * every test guest. The loader reads the header (linker.ld places it at
 * the image's first byte) and enters at guest_start with rsp at the stack
 * top and the two host arguments in rdi and rsi, at CPL3, or at CPL0 when
 * the header's flags say so.
 */
#include "guest-tests/lib/guest.h"

/* Defined by linker.ld. */
extern char __image_start[], __stack_top[], __image_end[];

/* The image flags: an absolute symbol, from GUEST_PROGRAM_AT_CPL0()
 * (guest.h) or else 0 (linker.ld). */
extern char guest_image_flags[];

void guest_start(void);

__attribute__((used, section(".guest_header")))
const struct guest_image_header guest_header = {
	.magic = GUEST_IMAGE_MAGIC,
	.load = (u64)__image_start,
	.entry = (u64)guest_start,
	.stack_top = (u64)__stack_top,
	.end = (u64)__image_end,
	.flags = (u64)guest_image_flags,
};

/* rdi and rsi already hold guest_main's arguments (SysV ABI). */
__attribute__((naked, section(".text.entry"))) void guest_start(void)
{
	asm volatile("andq $-16, %rsp\n\t"
		     "call guest_main\n\t"
		     "call guest_done\n\t"
		     "ud2");
}
