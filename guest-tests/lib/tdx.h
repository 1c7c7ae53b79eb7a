/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/lib/tdx.h - what a TD test guest does, in the words of a TD's
 * own code (guest code only): TDCALL and its leaves (TDG.VP.INFO,
 * TDG.VP.VEINFO.GET, TDG.MEM.PAGE.ACCEPT, TDG.VP.VMCALL<MapGPA> with the
 * GHCI's retry), and the private view of memory. #VE is caught with
 * guest_catch() (guest-tests/lib/catch.h).
 *
 * Memory. The loader gives a TD shared low memory: the identity map's
 * tables and leaves carry the shared bit, so a plain access to gpa is a
 * shared one. tdx_init() maps the private alias: [0, 8 GiB) again at
 * TDX_PRIVATE_BASE without the bit, so tdx_private(gpa) is a private
 * access to gpa. The guest's code, stack, page tables and ucalls stay in
 * shared low memory (guest-tests/README.md says where this departs from
 * a real TD).
 *
 * Programs using it run at CPL0 and call tdx_init() first.
 */
#ifndef GMV_GUEST_TESTS_LIB_TDX_H
#define GMV_GUEST_TESTS_LIB_TDX_H

#include "guest-tests/lib/catch.h"
#include "lib/types.h"

/* The private alias of the identity map: PML4 entry 1. */
#define TDX_PRIVATE_BASE (1ULL << 39)

/* TDCALL leaves (Intel TDX module ABI spec, "TDCALL Leaves"). */
#define TDG_VP_VMCALL 0
#define TDG_VP_INFO 1
#define TDG_VP_VEINFO_GET 3
#define TDG_MEM_PAGE_ACCEPT 6

/* Completion statuses a TD guest sees (ABI spec; Linux tdx_errno.h). */
#define TDX_STATUS_MASK 0xffffffff00000000ULL
#define TDX_OPERAND_INVALID 0xC000010000000000ULL
#define TDX_OPERAND_BUSY 0x8000020000000000ULL
#define TDX_NO_VALID_VE_INFO 0xC000070400000000ULL
#define TDX_PAGE_ALREADY_ACCEPTED 0x00000B0A00000000ULL
#define TDX_PAGE_SIZE_MISMATCH 0xC0000B0B00000000ULL

/* TDG.VP.VMCALL statuses in R10 (GHCI spec, "TDG.VP.VMCALL Interface"). */
#define TDVMCALL_MAP_GPA 0x10001
#define TDVMCALL_STATUS_SUCCESS 0ULL
#define TDVMCALL_STATUS_RETRY 1ULL
#define TDVMCALL_STATUS_INVALID_OPERAND 0x8000000000000000ULL
#define TDVMCALL_STATUS_ALIGN_ERROR 0x8000000000000002ULL
#define TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED 0x8000000000000003ULL

/* #VE (vector 20) information for an EPT violation (Intel SDM vol. 3:
 * exit reason 48, exit qualification bit 0 read, bit 1 write). */
#define TDX_VE_VECTOR 20
#define TDX_EXIT_REASON_EPT_VIOLATION 48
#define TDX_EPT_QUAL_READ BIT(0)
#define TDX_EPT_QUAL_WRITE BIT(1)

/* The registers a TDCALL reads and writes. */
struct tdx_regs {
	u64 rax, rcx, rdx, r8, r9, r10, r11, r12, r13;
};

/* TDCALL (66 0F 01 CC) with *r; the leaf's outputs back in *r. */
void tdx_tdcall(struct tdx_regs *r);

/* Set up exceptions, learn the GPA width (TDG.VP.INFO, which must say
 * 48: the shared bit the loader used) and map the private alias. Returns
 * the GPA width. */
unsigned int tdx_init(void);

static inline u64 tdx_private(u64 gpa)
{
	return TDX_PRIVATE_BASE + gpa;
}

/* The shared bit tdx_init() learned (GPA bit GPAW - 1). */
u64 tdx_shared_bit(void);

/* TDG.VP.INFO's outputs. */
struct tdx_vp_info {
	u64 gpaw, attributes, num_vcpus, max_vcpus, vcpu_index;
};
u64 tdx_vp_info(struct tdx_vp_info *out);

/* TDG.VP.VEINFO.GET: the last #VE's information, then free again. */
struct tdx_ve_info {
	u64 exit_reason, exit_qualification, gla, gpa, insn;
};
u64 tdx_veinfo_get(struct tdx_ve_info *out);

/* TDG.MEM.PAGE.ACCEPT of the page at gpa, level 0 (4 KiB) or 1 (2 MiB):
 * the status. */
u64 tdx_accept(u64 gpa, unsigned int level);

/* One TDG.VP.VMCALL<MapGPA>: gpa with the shared bit set to make the
 * range shared, clear to make it private. R10's status; *r11 = R11. */
u64 tdx_vmcall_map_gpa(u64 gpa, u64 size, u64 *r11);

/*
 * tdx_map_gpa(gpa, size, shared): MapGPA of [gpa, gpa + size) as a TD's
 * code calls it: on RETRY it goes on from R11, which must lie in the
 * range, up to three times without progress (Linux's tdx_map_gpa()).
 * The last status; *retries counts the RETRY answers (may be NULL).
 */
u64 tdx_map_gpa(u64 gpa, u64 size, bool shared, u64 *retries);

#endif
