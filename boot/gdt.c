// SPDX-License-Identifier: MIT
/* boot/gdt.c - GDT, TSS and IST stacks (see boot/gdt.h). */
#include "boot/gdt.h"
#include "lib/mem.h"

/* Flat descriptors; in long mode only the attribute bits matter. */
#define DESC_CODE64 0x00af9a000000ffffULL /* P, DPL 0, code r/x, L, G */
#define DESC_DATA 0x00cf92000000ffffULL /* P, DPL 0, data r/w, D/B, G */
#define DESC_TSS_AVAIL 0x89ULL /* P, type 9: available 64-bit TSS */

static u64 gdt[5] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static u8 ist_stacks[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));

static void set_tss_desc(u64 *d, const struct tss64 *t)
{
	u64 base = (u64)t, limit = sizeof(*t) - 1;

	d[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
	       (DESC_TSS_AVAIL << 40) | ((limit >> 16 & 0xf) << 48) |
	       ((base >> 24 & 0xff) << 56);
	d[1] = base >> 32;
}

void gdt_init(void)
{
	struct desc_ptr gdtr = { sizeof(gdt) - 1, (u64)gdt };

	memset(&tss, 0, sizeof(tss));
	for (int i = 0; i < IST_COUNT; i++)
		tss.ist[i] = (u64)ist_stacks[i] + IST_STACK_SIZE;
	tss.iomap_base = sizeof(tss); /* no I/O bitmap */

	gdt[0] = 0;
	gdt[GDT_KERNEL_CS / 8] = DESC_CODE64;
	gdt[GDT_KERNEL_DS / 8] = DESC_DATA;
	set_tss_desc(&gdt[GDT_TSS / 8], &tss);

	/* A far return reloads CS; the data segments follow. */
	asm volatile("lgdt %0\n\t"
		     "pushq %1\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "movw %w2, %%ds\n\t"
		     "movw %w2, %%es\n\t"
		     "movw %w2, %%ss\n\t"
		     "movw %w2, %%fs\n\t"
		     "movw %w2, %%gs\n\t"
		     "ltr %w3"
		     :
		     : "m"(gdtr), "i"(GDT_KERNEL_CS), "r"(GDT_KERNEL_DS),
		       "r"(GDT_TSS)
		     : "rax", "memory");
}
