// SPDX-License-Identifier: MIT
/*
 * tests/payload/exception_test.c - boot.exception: exc_catch() sees each
 * kind of fault with the right vector, error code, RIP and CR2, resumes
 * its caller with the callee-saved registers intact, and nests.
 *
 * The faults are rows of one table (fault_rows): the function that raises
 * it and what the report must say. Each faulting function stores the
 * address of its faulting instruction (or, for a trap, of the next one)
 * before executing it.
 */
#include "boot/exception.h"
#include "boot/gdt.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/payload/boot_tests.h"

/* Canonical, far above any RAM, never mapped. */
#define UNMAPPED_VA 0x0000400000000123ULL
#define NONCANONICAL_VA 0x8000000000000000ULL
/* A selector past the end of the GDT: loading it raises #GP(selector). */
#define BAD_SELECTOR 0x1f8
#define RO_WORD 0x5eed

struct fault {
	u64 rip; /* expected RIP in the report */
	u64 addr; /* address the function touches */
	u64 val;
};

static const u64 ro_word = RO_WORD;

/*
 * The start of each faulting function's asm: store the address of label 1
 * in operand 0 (f->rip). The instruction under test follows the label
 * (for a trap, it comes before it). Clobbers rax.
 */
#define RIP_AT_1 "leaq 1f(%%rip), %%rax\n\tmovq %%rax, %0\n"

static void do_ud2(void *arg)
{
	struct fault *f = arg;

	asm volatile(RIP_AT_1 "1:\tud2" : "=m"(f->rip) : : "rax", "memory");
}

static void do_read(void *arg)
{
	struct fault *f = arg;

	asm volatile(RIP_AT_1 "1:\tmovq (%1), %%rax"
		     : "=m"(f->rip)
		     : "r"(f->addr)
		     : "rax", "memory");
}

static void do_write(void *arg)
{
	struct fault *f = arg;

	asm volatile(RIP_AT_1 "1:\tmovq %2, (%1)"
		     : "=m"(f->rip)
		     : "r"(f->addr), "r"(f->val)
		     : "rax", "memory");
}

static void do_load_ds(void *arg)
{
	struct fault *f = arg;

	asm volatile(RIP_AT_1 "1:\tmovw %w1, %%ds"
		     : "=m"(f->rip)
		     : "r"(f->val)
		     : "rax", "memory");
}

static void do_divide_by_zero(void *arg)
{
	struct fault *f = arg;

	asm volatile("xorl %%ecx, %%ecx\n\t"
		     "xorl %%edx, %%edx\n\t" RIP_AT_1 "1:\tdivl %%ecx"
		     : "=m"(f->rip)
		     :
		     : "rax", "rcx", "rdx", "memory");
}

static void do_int3(void *arg)
{
	struct fault *f = arg;

	/* A trap: the reported RIP is the instruction after int3. */
	asm volatile(RIP_AT_1 "int3\n1:" : "=m"(f->rip) : : "rax", "memory");
}

/* One fault: the function that raises it, its inputs, and the report. */
struct fault_row {
	const char *what;
	void (*fn)(void *arg);
	u64 addr, val;
	unsigned int vector;
	u64 error_code;
	bool pf; /* CR2 must be addr */
};

static const struct fault_row fault_rows[] = {
	{ "ud2", do_ud2, .vector = EXC_UD },
	{ "unmapped read", do_read, .addr = UNMAPPED_VA, .vector = EXC_PF,
	  .pf = true },
	{ "unmapped write", do_write, .addr = UNMAPPED_VA, .vector = EXC_PF,
	  .error_code = PF_W, .pf = true },
	/* Writes the value already there, so a missed fault harms nothing. */
	{ "read-only write", do_write, .addr = (u64)&ro_word, .val = RO_WORD,
	  .vector = EXC_PF, .error_code = PF_P | PF_W, .pf = true },
	{ "non-canonical read", do_read, .addr = NONCANONICAL_VA,
	  .vector = EXC_GP },
	{ "selector past the GDT", do_load_ds, .val = BAD_SELECTOR,
	  .vector = EXC_GP, .error_code = BAD_SELECTOR },
	{ "divide by zero", do_divide_by_zero, .vector = EXC_DE },
	{ "int3", do_int3, .vector = EXC_BP },
};

/* Every row's fault is caught and reported with its vector, error code,
 * RIP and (#PF) CR2, and leaves the read-only word and DS as they were. */
static void exception_faults_are_reported(struct kt *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(fault_rows); i++) {
		const struct fault_row *r = &fault_rows[i];
		struct fault f = { .addr = r->addr, .val = r->val };
		struct exc_info info;
		char line[160];
		int ret = exc_catch(r->fn, &f, &info);
		u16 ds;

		exc_describe(&info, line, sizeof(line));
		kt_diag(t, "%s: %s", r->what, ret ? line : "no exception");
		KT_EXPECT_ERRNO(t, ret, EFAULT);
		KT_EXPECT_EQ(t, info.vector, r->vector);
		KT_EXPECT_EQ(t, info.error_code, r->error_code);
		KT_EXPECT_EQ(t, info.rip, f.rip);
		if (r->pf)
			KT_EXPECT_EQ(t, info.cr2, r->addr);
		asm volatile("movw %%ds, %0" : "=r"(ds));
		KT_EXPECT_EQ(t, ds, GDT_KERNEL_DS);
		KT_EXPECT_EQ(t, *(const volatile u64 *)&ro_word, RO_WORD);
	}
}

static void set_flag(void *arg)
{
	*(int *)arg = 1;
}

static void exception_no_fault_returns_zero(struct kt *t)
{
	struct exc_info info;
	int ran = 0;

	KT_EXPECT_OK(t, exc_catch(set_flag, &ran, &info));
	KT_EXPECT_EQ(t, ran, 1);
	KT_EXPECT(t, mem_is_zero(&info, sizeof(info)));
}

/* Trash every callee-saved register but rbp, then fault. */
static void clobber_and_fault(void *arg)
{
	asm volatile("movq $-1, %%rbx\n\t"
		     "movq $-1, %%rsi\n\t"
		     "movq $-1, %%rdi\n\t"
		     "movq $-1, %%r12\n\t"
		     "movq $-1, %%r13\n\t"
		     "movq $-1, %%r14\n\t"
		     "movq $-1, %%r15\n\t"
		     "ud2"
		     :
		     :
		     : "rbx", "rsi", "rdi", "r12", "r13", "r14", "r15",
		       "memory");
}

static void exception_resume_keeps_callee_saved(struct kt *t)
{
	/* Values the compiler must keep in callee-saved registers (or the
	 * frame) across the call; a resume that loses them changes them. */
	static volatile u64 seed = 3;
	u64 a = seed * 11, b = seed * 13, c = seed * 17, d = seed * 19;
	u64 e = seed * 23, g = seed * 29, h = seed * 31;
	struct exc_info info;

	KT_EXPECT_ERRNO(t, exc_catch(clobber_and_fault, NULL, &info), EFAULT);
	KT_EXPECT_EQ(t, a + b + c + d + e + g + h,
		     3 * (11 + 13 + 17 + 19 + 23 + 29 + 31));
	KT_EXPECT_EQ(t, a * b - c * d + e * g - h,
		     seed * seed * 143 - seed * seed * 323 + seed * seed * 667 -
			     seed * 31);
}

struct nested {
	struct fault inner;
	struct exc_info inner_info;
	int inner_ret;
};

static void fault_after_inner_catch(void *arg)
{
	struct nested *n = arg;

	n->inner_ret = exc_catch(do_ud2, &n->inner, &n->inner_info);
	asm volatile("int3");
}

static void exception_catches_nest(struct kt *t)
{
	struct nested n = { 0 };
	struct exc_info outer;

	KT_EXPECT_ERRNO(t, exc_catch(fault_after_inner_catch, &n, &outer),
			EFAULT);
	KT_EXPECT_EQ(t, n.inner_ret, -EFAULT);
	KT_EXPECT_EQ(t, n.inner_info.vector, EXC_UD);
	KT_EXPECT_EQ(t, n.inner_info.rip, n.inner.rip);
	KT_EXPECT_EQ(t, outer.vector, EXC_BP);
}

static void exception_describe_names_vector(struct kt *t)
{
	struct exc_info info = {
		.vector = EXC_PF, .error_code = 3, .rip = 0x1000, .cr2 = 0x2000
	};
	char line[160];

	exc_describe(&info, line, sizeof(line));
	KT_EXPECT_STR_EQ(t, line,
			 "caught #PF page fault (vector 14), error code 0x3, "
			 "RIP 0x1000, CR2 0x2000");
	KT_EXPECT_STR_EQ(t, exc_name(EXC_UD), "#UD invalid opcode");
	KT_EXPECT_STR_EQ(t, exc_name(15), "reserved");
	KT_EXPECT_STR_EQ(t, exc_name(32), "interrupt");
	KT_EXPECT(t, exc_has_error_code(EXC_PF));
	KT_EXPECT(t, !exc_has_error_code(EXC_UD));
}

static const struct kt_case exception_cases[] = {
	KT_CASE(exception_faults_are_reported),
	KT_CASE(exception_no_fault_returns_zero),
	KT_CASE(exception_resume_keeps_callee_saved),
	KT_CASE(exception_catches_nest),
	KT_CASE(exception_describe_names_vector),
};

const struct kt_suite exception_suite = KT_SUITE("exception", exception_cases);
