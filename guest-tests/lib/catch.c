// SPDX-License-Identifier: MIT
/*
 * guest-tests/lib/catch.c - descriptor tables and exception catching for
 * test guests that take exceptions the hypervisor injects
 * (guest-tests/lib/catch.h).
 */
#include "guest-tests/lib/catch.h"
#include "guest-tests/lib/guest.h"
#include "lib/fmt.h"

#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_PS BIT(7)
#define NR_ALIAS_PDS (GUEST_MAP_LIMIT >> 30)

/* ---- descriptor tables ---- */

/* The selectors the hypervisor entered the guest with at CPL0
 * (hv/svm/svm.c, GUEST_SEL_DATA0 / GUEST_SEL_CODE0): entries 5 and 6. */
#define SEL_DATA0 0x28
#define SEL_CODE0 0x30
static const u64 gdt[8] __attribute__((aligned(16))) = {
	[5] = 0x00cf93000000ffffULL, /* data, DPL0, writable */
	[6] = 0x00af9b000000ffffULL, /* code, 64-bit, DPL0 */
};

struct idt_gate {
	u16 off_lo, sel;
	u8 ist, type;
	u16 off_mid;
	u32 off_hi, zero;
};

static struct idt_gate idt[32] __attribute__((aligned(16)));

struct __attribute__((packed)) table_ptr {
	u16 limit;
	u64 base;
};

/* Exception entry points, 16 bytes each: vectors that push no error code
 * push 0, then each pushes its vector and joins the common path with RSP
 * at the frame. */
asm(".pushsection .text\n"
    ".align 16\n"
    "guest_exc_stubs:\n"
    ".set vec, 0\n"
    ".rept 32\n"
    "  .align 16\n"
    "  .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || "
    "(vec == 21) || (vec == 29) || (vec == 30)\n"
    "  .else\n"
    "    pushq $0\n"
    "  .endif\n"
    "  pushq $vec\n"
    "  jmp guest_exc_common\n"
    "  .set vec, vec + 1\n"
    ".endr\n"
    "guest_exc_common:\n"
    "  movq %rsp, %rdi\n"
    "  andq $-16, %rsp\n"
    "  call guest_exception_entry\n"
    "  ud2\n"
    ".popsection");
extern char guest_exc_stubs[];

/* The catch in progress: where guest_catch() resumes, and its result
 * (global: the assembly below names them). */
u64 guest_catch_rsp;
struct guest_exception *guest_catch_out;

/* What the CPU pushed, with the entry point's two words (vector, error
 * code or 0) in front. */
struct exc_frame {
	u64 vector, error_code, rip, cs, rflags, rsp, ss;
};

/* guest_catch(fn, arg, e): callee-saved registers, RSP kept, fn called;
 * guest_catch_resume is where an exception lands, with RSP put back. */
asm(".pushsection .text\n"
    ".globl guest_catch\n"
    "guest_catch:\n"
    "  pushq %rbx\n  pushq %rbp\n  pushq %r12\n"
    "  pushq %r13\n  pushq %r14\n  pushq %r15\n"
    "  subq $8, %rsp\n"
    "  movq %rsp, guest_catch_rsp(%rip)\n"
    "  movq %rdx, guest_catch_out(%rip)\n"
    "  movq %rdi, %rax\n"
    "  movq %rsi, %rdi\n"
    "  call *%rax\n"
    "  xorl %eax, %eax\n"
    "  jmp 1f\n"
    "guest_catch_resume:\n"
    "  movl $1, %eax\n"
    "1:\n"
    "  movq $0, guest_catch_rsp(%rip)\n"
    "  addq $8, %rsp\n"
    "  popq %r15\n  popq %r14\n  popq %r13\n"
    "  popq %r12\n  popq %rbp\n  popq %rbx\n"
    "  ret\n"
    ".popsection");

void guest_exception_entry(struct exc_frame *f);

__attribute__((used)) void guest_exception_entry(struct exc_frame *f)
{
	char text[UCALL_TEXT_LEN];

	if (guest_catch_rsp) {
		*guest_catch_out =
			(struct guest_exception){.vector = f->vector,
					       .error_code = f->error_code,
					       .rip = f->rip};
		asm volatile("movq %0, %%rsp\n\tjmp guest_catch_resume"
			     :
			     : "r"(guest_catch_rsp)
			     : "memory");
		__builtin_unreachable();
	}
	gmv_snprintf(text, sizeof(text),
		     "unexpected exception %llu, error code %#llx, at rip",
		     (unsigned long long)f->vector,
		     (unsigned long long)f->error_code);
	guest_assert_fail(__FILE__, __LINE__, text, true, f->rip, 0);
}

void guest_exceptions_init(void)
{
	struct table_ptr g = {sizeof(gdt) - 1, (u64)gdt};
	struct table_ptr i = {sizeof(idt) - 1, (u64)idt};

	for (unsigned int v = 0; v < 32; v++) {
		u64 at = (u64)guest_exc_stubs + 16 * v;

		idt[v] = (struct idt_gate){
			.off_lo = (u16)at,
			.sel = SEL_CODE0,
			.type = 0x8e, /* present, DPL0, 64-bit interrupt gate */
			.off_mid = (u16)(at >> 16),
			.off_hi = (u32)(at >> 32),
		};
	}
	asm volatile("lgdt %0\n\tlidt %1" : : "m"(g), "m"(i) : "memory");
}

/* ---- an alias of the identity map ---- */

static u64 alias_pdpt[512] __attribute__((aligned(4096)));
static u64 alias_pd[NR_ALIAS_PDS][512] __attribute__((aligned(4096)));

void guest_map_alias(u64 base, u64 table_bits, u64 leaf_bits)
{
	volatile u64 *pml4 = (volatile u64 *)GUEST_PML4_GPA;
	u64 cr3;

	for (u64 i = 0; i < NR_ALIAS_PDS; i++) {
		alias_pdpt[i] = (u64)alias_pd[i] | table_bits | PTE_P | PTE_RW;
		for (u64 j = 0; j < 512; j++)
			alias_pd[i][j] = (i << 30 | j << 21) | leaf_bits |
					 PTE_P | PTE_RW | PTE_PS;
	}
	pml4[base >> 39] = (u64)alias_pdpt | table_bits | PTE_P | PTE_RW;
	asm volatile("mov %%cr3, %0\n\tmov %0, %%cr3" : "=r"(cr3) : : "memory");
}
