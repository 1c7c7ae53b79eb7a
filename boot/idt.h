/* SPDX-License-Identifier: MIT */
/*
 * boot/idt.h - the payload's own IDT and the C side of interrupt entry.
 * Owns the gate table. Every vector enters through boot/isr.asm, which
 * saves the registers as a struct exc_frame and calls isr_dispatch().
 *
 * An exception (vectors 0-31) is handed to an active exc_catch()
 * (boot/exception.h); otherwise it is reported with the full register
 * state and ends the run as a failure. An interrupt vector (32-255) goes
 * to the handler a driver installed with idt_set_irq_handler(); one
 * without a handler ends the run too ("unexpected interrupt N"). An NMI
 * goes first to the handler installed with idt_set_nmi_handler() (the
 * deadline= watchdog's, boot/nmi_watchdog.h), even inside exc_catch(),
 * and is treated as an exception only when that handler does not claim
 * it. #DF, NMI and #MC run on their own IST stacks.
 */
#ifndef GMV_BOOT_IDT_H
#define GMV_BOOT_IDT_H

#include "lib/types.h"

#define IDT_VECTORS 256
#define EXC_VECTORS 32

enum {
	EXC_DE = 0,
	EXC_NMI = 2,
	EXC_BP = 3,
	EXC_UD = 6,
	EXC_DF = 8,
	EXC_GP = 13,
	EXC_PF = 14,
	EXC_MC = 18,
};

/* #PF error code bits (AMD APM vol. 2, 8.4.2). */
#define PF_P BIT(0)
#define PF_W BIT(1)
#define PF_US BIT(2)
#define PF_RSVD BIT(3)
#define PF_ID BIT(4)
#define PF_RMP BIT(31) /* an RMP check failed (SEV-SNP) */

/* What isr.asm leaves on the stack, lowest address first. */
struct exc_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code; /* error_code is 0 where the CPU pushes none */
	/* Pushed by the CPU. */
	u64 rip, cs, rflags, rsp, ss;
};

void idt_init(void);

/* Runs for an interrupt vector with IF clear, on the interrupted stack;
 * acknowledges its source (the local APIC's EOI, if it needs one). */
typedef void (*irq_handler_fn)(unsigned int vector);

/* Route interrupt vector to fn (NULL: none, unexpected again). 0, or
 * -EINVAL for an exception vector (below 32) or one beyond 255. */
int idt_set_irq_handler(unsigned int vector, irq_handler_fn fn);

/* Runs for vector 2 (NMI or INT 2) on the NMI's IST stack, with NMIs
 * blocked until the IRETQ; returns whether it claimed the NMI. */
typedef bool (*nmi_handler_fn)(const struct exc_frame *f);

/* Route vector 2 to fn first (NULL: none, an exception again). */
void idt_set_nmi_handler(nmi_handler_fn fn);

/* "#PF" and the like; "#15?" style text for reserved vectors. */
const char *exc_name(unsigned int vector);
/* Does the CPU push an error code for this exception vector? */
bool exc_has_error_code(unsigned int vector);

/* Called by isr.asm only. */
void isr_dispatch(struct exc_frame *f);

#endif
