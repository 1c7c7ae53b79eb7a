// SPDX-License-Identifier: MIT
/*
 * tests/payload/exception_test.c - boot.exception: exc_catch() sees each
 * kind of fault with the right vector, error code, RIP and CR2, resumes
 * its caller with the callee-saved registers intact, and nests.
 *
 * Each faulting function stores the address of its faulting instruction
 * (or, for a trap, of the next one) before executing it.
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

struct fault {
	u64 rip; /* expected RIP in the report */
	u64 addr; /* address the function touches */
	u64 val;
};

static const u64 ro_word = 0x5eed;

static void do_ud2(void *arg)
{
	struct fault *f = arg;

	asm volatile("leaq 1f(%%rip), %%rax\n\t"
		     "movq %%rax, %0\n"
		     "1:\tud2"
		     : "=m"(f->rip)
		     :
		     : "rax", "memory");
}

static void do_read(void *arg)
{
	struct fault *f = arg;

	asm volatile("leaq 1f(%%rip), %%rax\n\t"
		     "movq %%rax, %0\n"
		     "1:\tmovq (%1), %%rax"
		     : "=m"(f->rip)
		     : "r"(f->addr)
		     : "rax", "memory");
}

static void do_write(void *arg)
{
	struct fault *f = arg;

	asm volatile("leaq 1f(%%rip), %%rax\n\t"
		     "movq %%rax, %0\n"
		     "1:\tmovq %2, (%1)"
		     : "=m"(f->rip)
		     : "r"(f->addr), "r"(f->val)
		     : "rax", "memory");
}

static void do_load_ds(void *arg)
{
	struct fault *f = arg;

	asm volatile("leaq 1f(%%rip), %%rax\n\t"
		     "movq %%rax, %0\n"
		     "1:\tmovw %w1, %%ds"
		     : "=m"(f->rip)
		     : "r"(f->val)
		     : "rax", "memory");
}

static void do_divide_by_zero(void *arg)
{
	struct fault *f = arg;

	asm volatile("leaq 1f(%%rip), %%rax\n\t"
		     "movq %%rax, %0\n\t"
		     "xorl %%ecx, %%ecx\n\t"
		     "xorl %%edx, %%edx\n"
		     "1:\tdivl %%ecx"
		     : "=m"(f->rip)
		     :
		     : "rax", "rcx", "rdx", "memory");
}

static void do_int3(void *arg)
{
	struct fault *f = arg;

	/* A trap: the reported RIP is the instruction after int3. */
	asm volatile("leaq 1f(%%rip), %%rax\n\t"
		     "movq %%rax, %0\n\t"
		     "int3\n"
		     "1:"
		     : "=m"(f->rip)
		     :
		     : "rax", "memory");
}

/* Catch fn(f) and check the report: vector, error code and RIP. */
static bool expect_fault(struct kt *t, void (*fn)(void *), struct fault *f,
			 unsigned int vector, u64 error_code,
			 struct exc_info *info)
{
	char line[160];

	if (!KT_EXPECT_ERRNO(t, exc_catch(fn, f, info), EFAULT))
		return false;
	exc_describe(info, line, sizeof(line));
	kt_diag(t, "%s", line);
	KT_EXPECT_EQ(t, info->vector, vector);
	KT_EXPECT_EQ(t, info->error_code, error_code);
	KT_EXPECT_EQ(t, info->rip, f->rip);
	return true;
}

static void exception_ud2_is_ud(struct kt *t)
{
	struct fault f = { 0 };
	struct exc_info info;

	expect_fault(t, do_ud2, &f, EXC_UD, 0, &info);
}

static void exception_unmapped_read_is_pf(struct kt *t)
{
	struct fault f = { .addr = UNMAPPED_VA };
	struct exc_info info;

	if (expect_fault(t, do_read, &f, EXC_PF, 0, &info))
		KT_EXPECT_EQ(t, info.cr2, UNMAPPED_VA);
}

static void exception_unmapped_write_is_pf_w(struct kt *t)
{
	struct fault f = { .addr = UNMAPPED_VA };
	struct exc_info info;

	if (expect_fault(t, do_write, &f, EXC_PF, PF_W, &info))
		KT_EXPECT_EQ(t, info.cr2, UNMAPPED_VA);
}

static void exception_readonly_write_is_pf_pw(struct kt *t)
{
	/* Writes the value already there, so a missed fault harms nothing. */
	struct fault f = { .addr = (u64)&ro_word, .val = ro_word };
	struct exc_info info;

	if (expect_fault(t, do_write, &f, EXC_PF, PF_P | PF_W, &info))
		KT_EXPECT_EQ(t, info.cr2, (u64)&ro_word);
	KT_EXPECT_EQ(t, ro_word, 0x5eed);
}

static void exception_noncanonical_is_gp(struct kt *t)
{
	struct fault f = { .addr = NONCANONICAL_VA };
	struct exc_info info;

	expect_fault(t, do_read, &f, EXC_GP, 0, &info);
}

static void exception_bad_selector_gp_code(struct kt *t)
{
	struct fault f = { .val = BAD_SELECTOR };
	struct exc_info info;
	u16 ds;

	expect_fault(t, do_load_ds, &f, EXC_GP, BAD_SELECTOR, &info);
	asm volatile("movw %%ds, %0" : "=r"(ds));
	KT_EXPECT_EQ(t, ds, GDT_KERNEL_DS);
}

static void exception_divide_by_zero_is_de(struct kt *t)
{
	struct fault f = { 0 };
	struct exc_info info;

	expect_fault(t, do_divide_by_zero, &f, EXC_DE, 0, &info);
}

static void exception_int3_reports_next_rip(struct kt *t)
{
	struct fault f = { 0 };
	struct exc_info info;

	expect_fault(t, do_int3, &f, EXC_BP, 0, &info);
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
	KT_CASE(exception_ud2_is_ud),
	KT_CASE(exception_unmapped_read_is_pf),
	KT_CASE(exception_unmapped_write_is_pf_w),
	KT_CASE(exception_readonly_write_is_pf_pw),
	KT_CASE(exception_noncanonical_is_gp),
	KT_CASE(exception_bad_selector_gp_code),
	KT_CASE(exception_divide_by_zero_is_de),
	KT_CASE(exception_int3_reports_next_rip),
	KT_CASE(exception_no_fault_returns_zero),
	KT_CASE(exception_resume_keeps_callee_saved),
	KT_CASE(exception_catches_nest),
	KT_CASE(exception_describe_names_vector),
};

const struct kt_suite exception_suite = KT_SUITE("exception", exception_cases);
