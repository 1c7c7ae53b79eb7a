// SPDX-License-Identifier: MIT
/*
 * boot/exception.c - the exception catch (see boot/exception.h).
 *
 * exc_try() (boot/catch.asm) saves the callee-saved registers, the stack
 * pointer and RFLAGS in a struct exc_jmp and calls fn. If fn faults,
 * exc_recover() rewrites the interrupt frame so that IRETQ lands in
 * exc_try_resume with RCX pointing at the exc_jmp; that restores the saved
 * registers and makes exc_try() return 1.
 */
#include "boot/exception.h"
#include "boot/gdt.h"
#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* Layout known to boot/catch.asm. */
struct exc_jmp {
	u64 rbx, rbp, rdi, rsi, r12, r13, r14, r15;
	u64 rsp, rflags;
};

struct exc_catcher {
	struct exc_jmp jmp;
	struct exc_info *info;
};

int exc_try(void (*fn)(void *arg), void *arg, struct exc_jmp *jmp);
extern const char exc_try_resume[];

static struct exc_catcher *active;

int exc_catch(void (*fn)(void *arg), void *arg, struct exc_info *info)
{
	struct exc_catcher c = { .info = info }, *outer = active;
	int faulted;

	memset(info, 0, sizeof(*info));
	active = &c;
	faulted = exc_try(fn, arg, &c.jmp);
	active = outer;
	return faulted ? -EFAULT : 0;
}

bool exc_recover(struct exc_frame *f, u64 cr2)
{
	struct exc_catcher *c = active;

	if (!c || f->vector == EXC_DF || f->vector == EXC_MC)
		return false;
	*c->info = (struct exc_info){
		.vector = (unsigned int)f->vector,
		.error_code = f->error_code,
		.rip = f->rip,
		.cr2 = cr2,
		.frame = (u64)&f->rip,
	};
	/* Only this catch's handler may resume it. */
	active = NULL;
	f->rip = (u64)exc_try_resume;
	f->cs = GDT_KERNEL_CS;
	f->rflags = c->jmp.rflags;
	f->rsp = c->jmp.rsp;
	f->ss = GDT_KERNEL_DS;
	f->rcx = (u64)&c->jmp;
	return true;
}

int exc_describe(const struct exc_info *info, char *buf, size_t n)
{
	return gmv_snprintf(buf, n,
			    "caught %s (vector %u), error code %#llx, "
			    "RIP %#llx, CR2 %#llx",
			    exc_name(info->vector), info->vector,
			    (unsigned long long)info->error_code,
			    (unsigned long long)info->rip,
			    (unsigned long long)info->cr2);
}
