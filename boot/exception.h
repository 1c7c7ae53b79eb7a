/* SPDX-License-Identifier: MIT */
/*
 * boot/exception.h - running code that is expected to fault. Owns the
 * active catch: while exc_catch() runs fn, an exception (vectors 0-31
 * except the aborts #DF and #MC) does not end the run; the handler records
 * it and resumes exc_catch()'s caller, with fn's frames abandoned.
 * Exceptions outside exc_catch() still end the run (boot/idt.h).
 */
#ifndef GMV_BOOT_EXCEPTION_H
#define GMV_BOOT_EXCEPTION_H

#include "boot/idt.h"
#include "lib/types.h"

struct exc_info {
	unsigned int vector;
	u64 error_code; /* 0 for vectors without one */
	u64 rip; /* as pushed: the faulting insn, or the next for traps */
	u64 cr2; /* CR2 at entry; the fault address for #PF */
	u64 frame; /* where the CPU pushed its frame: shows the stack used */
};

/*
 * Run fn(arg). Returns 0 when fn returned, or -EFAULT when it raised an
 * exception, described in *info (zeroed otherwise). Nests.
 */
int exc_catch(void (*fn)(void *arg), void *arg, struct exc_info *info);

/* One line describing a caught exception, for a "# " diagnostic. */
int exc_describe(const struct exc_info *info, char *buf, size_t n);

/*
 * For isr_dispatch(): if a catch is active and the exception may be caught,
 * record it and redirect f so that the return from the interrupt resumes
 * exc_catch()'s caller. Returns whether it did.
 */
bool exc_recover(struct exc_frame *f, u64 cr2);

#endif
