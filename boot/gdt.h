/* SPDX-License-Identifier: MIT */
/*
 * boot/gdt.h - the payload's own GDT and TSS. Owns the descriptor table,
 * the TSS and the interrupt stacks (IST) that #DF, NMI and #MC switch to,
 * so that those still get reported when the running stack is unusable
 * (e.g. after an overflow into the guard page).
 */
#ifndef GMV_BOOT_GDT_H
#define GMV_BOOT_GDT_H

#include "lib/types.h"

#define GDT_KERNEL_CS 0x08 /* 64-bit code, DPL 0 */
#define GDT_KERNEL_DS 0x10 /* data, DPL 0 */
#define GDT_TSS 0x18 /* 16-byte system descriptor */

/* Interrupt stack table slots (1-based, as the IDT gate's IST field). */
#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3
#define IST_COUNT 3
#define IST_STACK_SIZE (16 * 1024)

/* The 64-bit task-state segment (AMD APM vol. 2, 12.2.5). */
struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));

struct desc_ptr {
	u16 limit;
	u64 base;
} __attribute__((packed));

/* Load the GDT, reload every segment register and load the TSS. */
void gdt_init(void);

#endif
