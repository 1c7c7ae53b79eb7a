/* SPDX-License-Identifier: MIT */
/*
 * boot/addrspace.h - the payload's address space, built over
 * boot/paging.h after ExitBootServices:
 *  - every range of the UEFI memory map identity-mapped read-write and
 *    no-execute (write-back RAM, uncached MMIO), with large pages where
 *    the ranges allow, and page 0 left unmapped to catch NULL;
 *  - the console's MMIO UART (boot/serial.h), uncached, which the memory
 *    map need not list;
 *  - the payload image per its PE sections: code read-execute, read-only
 *    data read-only, data and bss read-write, all W^X;
 *  - the hypervisor stack, from hv_pool, with an unmapped guard page
 *    below it.
 *  - at the end of the run only, the firmware's runtime code executable.
 * Owns the stack and the choice of rights; sets EFER.NXE and CR0.WP.
 */
#ifndef GMV_BOOT_ADDRSPACE_H
#define GMV_BOOT_ADDRSPACE_H

#include "lib/types.h"

#define BOOT_STACK_ORDER 6 /* 256 KiB, the guard page included */

struct boot_stack {
	u64 guard; /* the unmapped page just below the stack */
	u64 top; /* initial stack pointer, 16-byte aligned */
};

extern struct boot_stack boot_stack;

/*
 * Build the tables for the image loaded at image_base and switch to them.
 * Returns 0, -ENOMEM (tables or stack) or -EINVAL (the image has a section
 * that is both writable and executable, or not page-aligned).
 */
int addrspace_init(u64 image_base);

/*
 * At the end of the run only (boot/exit.c): make the firmware's
 * EfiRuntimeServicesCode ranges executable so that ResetSystem() can run
 * at its physical address. Writable too, which breaks W^X there: without
 * the firmware's memory attributes table a runtime driver's data sections
 * lie in the same range as its code (UEFI 2.10 section 4.6.4,
 * EFI_MEMORY_ATTRIBUTES_TABLE). Does nothing before addrspace_init() has
 * switched to our tables (the firmware's map everything). Returns 0 or
 * paging_map()'s error.
 */
int addrspace_map_runtime(void);

#endif
