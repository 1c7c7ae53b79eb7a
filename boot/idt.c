// SPDX-License-Identifier: MIT
/* boot/idt.c - IDT setup and the exception report (see boot/idt.h). */
#include "boot/idt.h"
#include "boot/addrspace.h"
#include "boot/cpu.h"
#include "boot/exception.h"
#include "boot/exit.h"
#include "boot/gdt.h"
#include "boot/rmp_guard.h"
#include "lib/console.h"
#include "lib/errno.h"

#define GATE_INTR 0x8e /* P, DPL 0, 64-bit interrupt gate (IF cleared) */

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __attribute__((packed));

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

static irq_handler_fn irq_handlers[IDT_VECTORS];
static nmi_handler_fn nmi_handler;

/* Entry points, one per vector, in boot/isr.asm. */
extern const u64 isr_stub_table[IDT_VECTORS];

static const char *const exc_names[EXC_VECTORS] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 floating point",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD floating point",
	[20] = "#VE virtualization",
	[21] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security",
};

const char *exc_name(unsigned int vector)
{
	if (vector >= EXC_VECTORS)
		return "interrupt";
	return exc_names[vector] ? exc_names[vector] : "reserved";
}

bool exc_has_error_code(unsigned int vector)
{
	/* #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX */
	static const u32 mask = BIT(8) | BIT(10) | BIT(11) | BIT(12) | BIT(13) |
				BIT(14) | BIT(17) | BIT(21) | BIT(29) | BIT(30);

	return vector < EXC_VECTORS && (mask & BIT(vector));
}

static u8 ist_of(unsigned int vector)
{
	switch (vector) {
	case EXC_DF:
		return IST_DF;
	case EXC_NMI:
		return IST_NMI;
	case EXC_MC:
		return IST_MC;
	default:
		return 0;
	}
}

void idt_init(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (u64)idt };

	for (unsigned int v = 0; v < IDT_VECTORS; v++) {
		u64 a = isr_stub_table[v];

		idt[v] = (struct idt_gate){
			.offset_lo = a & 0xffff,
			.selector = GDT_KERNEL_CS,
			.ist = ist_of(v),
			.type = GATE_INTR,
			.offset_mid = a >> 16 & 0xffff,
			.offset_hi = a >> 32,
		};
	}
	asm volatile("lidt %0" : : "m"(idtr) : "memory");
}

int idt_set_irq_handler(unsigned int vector, irq_handler_fn fn)
{
	if (vector < EXC_VECTORS || vector >= IDT_VECTORS)
		return -EINVAL;
	irq_handlers[vector] = fn;
	return 0;
}

void idt_set_nmi_handler(nmi_handler_fn fn)
{
	nmi_handler = fn;
}

static void report(const struct exc_frame *f, u64 cr2)
{
	kprintf("# EXCEPTION %llu %s, error code %#llx\n",
		(unsigned long long)f->vector, exc_name(f->vector),
		(unsigned long long)f->error_code);
	kprintf("# RIP %04llx:%016llx RFLAGS %016llx RSP %04llx:%016llx\n",
		(unsigned long long)f->cs, (unsigned long long)f->rip,
		(unsigned long long)f->rflags, (unsigned long long)f->ss,
		(unsigned long long)f->rsp);
	kprintf("# CR2 %016llx CR3 %016llx\n", (unsigned long long)cr2,
		(unsigned long long)read_cr3());
	kprintf("# RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n",
		(unsigned long long)f->rax, (unsigned long long)f->rbx,
		(unsigned long long)f->rcx, (unsigned long long)f->rdx);
	kprintf("# RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n",
		(unsigned long long)f->rsi, (unsigned long long)f->rdi,
		(unsigned long long)f->rbp, (unsigned long long)f->r8);
	kprintf("# R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n",
		(unsigned long long)f->r9, (unsigned long long)f->r10,
		(unsigned long long)f->r11, (unsigned long long)f->r12);
	kprintf("# R13 %016llx R14 %016llx R15 %016llx\n",
		(unsigned long long)f->r13, (unsigned long long)f->r14,
		(unsigned long long)f->r15);
	if (boot_stack.guard && cr2 - boot_stack.guard < PAGE_SIZE)
		kputs("# CR2 is in the guard page: the hypervisor stack "
		      "overflowed\n");
}

void isr_dispatch(struct exc_frame *f)
{
	static bool reporting;
	u64 cr2;

	if (f->vector == EXC_NMI && nmi_handler && nmi_handler(f))
		return;
	if (f->vector >= EXC_VECTORS && f->vector < IDT_VECTORS &&
	    irq_handlers[f->vector]) {
		irq_handlers[f->vector](f->vector);
		return;
	}
	cr2 = read_cr2();
	/* A write the RMP guard refused: an RMP #PF, as on SNP hardware. */
	if (f->vector == EXC_PF && rmp_guard_fault(cr2, f->error_code))
		f->error_code |= PF_RMP;
	if (f->vector < EXC_VECTORS && exc_recover(f, cr2))
		return;
	if (reporting) {
		/* Faulted while reporting a fault: say so and stop. */
		kputs("\n# EXCEPTION while reporting an exception\n");
		exit_run(false);
	}
	reporting = true;
	if (f->vector >= EXC_VECTORS) {
		kprintf("# unexpected interrupt %llu at RIP %016llx\n",
			(unsigned long long)f->vector,
			(unsigned long long)f->rip);
		panic("unexpected interrupt %llu",
		      (unsigned long long)f->vector);
	}
	report(f, cr2);
	if (f->vector == EXC_PF && (f->error_code & PF_RMP)) {
		char msg[256];

		rmp_guard_describe(cr2, msg, sizeof(msg));
		panic("%s", msg);
	}
	panic("unhandled exception %llu (%s) at RIP %#llx",
	      (unsigned long long)f->vector, exc_name(f->vector),
	      (unsigned long long)f->rip);
}
