/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/lib/guest.h - the runtime of the test guests (guest code
 * only): reports to the host over the ucall channel (guest-tests/lib/
 * abi.h), assertions, port I/O, MMIO-style accesses, the MAP_GPA_RANGE
 * hypercall and pattern helpers.
 *
 * Every guest program defines guest_main(); the entry code calls it with
 * the two arguments the host put in struct vmm_entry and reports
 * GUEST_DONE when it returns.
 */
#ifndef GMV_GUEST_TESTS_LIB_GUEST_H
#define GMV_GUEST_TESTS_LIB_GUEST_H

#include "lib/types.h"
#include "lib/portio.h"
#include "hv/kvm_abi.h"
#include "guest-tests/lib/abi.h"
#include "guest-tests/lib/pattern.h"

void guest_main(u64 arg0, u64 arg1);

#define GUEST_STR_(x) #x
#define GUEST_STR(x) GUEST_STR_(x)
/*
 * At file scope in a program that must run at CPL0 (it makes hypercalls,
 * which KVM refuses from CPL3): sets GUEST_IMAGE_CPL0 in the image header,
 * and the loader enters the program at CPL0 on every backend.
 */
#define GUEST_PROGRAM_AT_CPL0()                         \
	asm(".globl guest_image_flags\n\t"             \
	    ".set guest_image_flags, " GUEST_STR(GUEST_IMAGE_CPL0))

/* Send one ucall; returns when the host re-enters the guest. */
void guest_ucall(u64 cmd, const char *file, int line, u64 a0, u64 a1,
		 u64 a2, const char *text);
__noreturn void guest_done(void);
__noreturn void guest_assert_fail(const char *file, int line,
				  const char *expr, bool has_values, u64 a,
				  u64 b);
void guest_printf_at(const char *file, int line, const char *fmt, ...)
	__printf(3, 4);

#define GUEST_DONE() guest_done()
/* Ask the host to do step 'stage' (with 'arg'), then continue. */
#define GUEST_SYNC(stage, arg) \
	guest_ucall(UCALL_SYNC, __FILE__, __LINE__, (stage), (arg), 0, NULL)
#define GUEST_PRINTF(...) guest_printf_at(__FILE__, __LINE__, __VA_ARGS__)

#define GUEST_ASSERT(cond)                                              \
	do {                                                            \
		if (!(cond))                                            \
			guest_assert_fail(__FILE__, __LINE__, #cond,    \
					  false, 0, 0);                 \
	} while (0)

#define GUEST_ASSERT_EQ(a, b)                                           \
	do {                                                            \
		u64 a_ = (u64)(a), b_ = (u64)(b);                       \
		if (a_ != b_)                                           \
			guest_assert_fail(__FILE__, __LINE__,           \
					  #a " == " #b, true, a_, b_);  \
	} while (0)

/* Fill [gpa, gpa + len) with the pattern 'seed' (8-byte words). */
void guest_fill(u64 gpa, u64 len, u64 seed);
/* Assert that [gpa, gpa + len) holds the pattern 'seed'; a mismatch
 * reports the caller's file:line, the address and both words. */
void guest_expect_pattern_at(const char *file, int line, u64 gpa, u64 len,
			     u64 seed);
#define GUEST_EXPECT_PATTERN(gpa, len, seed) \
	guest_expect_pattern_at(__FILE__, __LINE__, (gpa), (len), (seed))
/* The same through another mapping of the memory at gpa: va (an alias of
 * the identity map), the pattern still keyed by gpa. */
void guest_fill_via(u64 va, u64 gpa, u64 len, u64 seed);
void guest_expect_pattern_via(const char *file, int line, u64 va, u64 gpa,
			      u64 len, u64 seed);
#define GUEST_EXPECT_PATTERN_VIA(va, gpa, len, seed)                     \
	guest_expect_pattern_via(__FILE__, __LINE__, (va), (gpa), (len), \
				 (seed))

/*
 * Single plain MOV accesses of 1, 2, 4 or 8 bytes, for addresses whose
 * accesses the host may have to decode (MMIO exits): no zero-extension,
 * no string or read-modify-write instructions.
 */
static inline void guest_write_n(u64 gpa, int size, u64 v)
{
	void *p = (void *)gpa;

	switch (size) {
	case 1:
		asm volatile("movb %b1, (%0)" : : "r"(p), "a"(v) : "memory");
		break;
	case 2:
		asm volatile("movw %w1, (%0)" : : "r"(p), "a"(v) : "memory");
		break;
	case 4:
		asm volatile("movl %k1, (%0)" : : "r"(p), "a"(v) : "memory");
		break;
	default:
		asm volatile("movq %1, (%0)" : : "r"(p), "a"(v) : "memory");
		break;
	}
}

static inline u64 guest_read_n(u64 gpa, int size)
{
	void *p = (void *)gpa;
	u64 v = 0;

	switch (size) {
	case 1:
		asm volatile("movb (%1), %b0" : "+a"(v) : "r"(p) : "memory");
		break;
	case 2:
		asm volatile("movw (%1), %w0" : "+a"(v) : "r"(p) : "memory");
		break;
	case 4:
		asm volatile("movl (%1), %k0" : "+a"(v) : "r"(p) : "memory");
		break;
	default:
		asm volatile("movq (%1), %0" : "+a"(v) : "r"(p) : "memory");
		break;
	}
	return v;
}

/* This image's header (entry.c); the loader may have added
 * GUEST_IMAGE_VMCALL to its flags. */
extern const struct guest_image_header guest_header;

/* A hypercall with the KVM convention: nr in rax, arguments in rbx, rcx,
 * rdx; the result comes back in rax. The instruction is the CPU's, as the
 * loader said: VMCALL on Intel, VMMCALL on AMD. */
static inline u64 guest_hypercall(u64 nr, u64 a0, u64 a1, u64 a2)
{
	u64 ret;

	if (*(volatile const u64 *)&guest_header.flags & GUEST_IMAGE_VMCALL)
		asm volatile("vmcall"
			     : "=a"(ret)
			     : "a"(nr), "b"(a0), "c"(a1), "d"(a2)
			     : "memory");
	else
		asm volatile("vmmcall"
			     : "=a"(ret)
			     : "a"(nr), "b"(a0), "c"(a1), "d"(a2)
			     : "memory");
	return ret;
}

/* KVM_HC_MAP_GPA_RANGE: ask the host to make npages from gpa private
 * (GMV_MAP_GPA_RANGE_ENCRYPTED) or shared (..._DECRYPTED). KVM answers
 * -KVM_EPERM unless the program runs at CPL0 (GUEST_PROGRAM_AT_CPL0). */
static inline u64 guest_map_gpa_range(u64 gpa, u64 npages, u64 attrs)
{
	return guest_hypercall(GMV_HC_MAP_GPA_RANGE, gpa, npages, attrs);
}

#endif
