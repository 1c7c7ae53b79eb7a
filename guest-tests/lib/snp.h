/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/lib/snp.h - what an SEV-SNP test guest does, in the words
 * of an SNP guest's own code (guest code only): the C-bit and private
 * mappings, PVALIDATE and RMPADJUST, the GHCB MSR protocol and the GHCB
 * page with its page-state-change event. Exceptions (#VC among them) are
 * caught with guest_catch() (guest-tests/lib/catch.h).
 *
 * Memory. snp_init() learns the C-bit position from the hypervisor (GHCB
 * MSR protocol, SEV information) and maps the private alias of the
 * identity map: [0, 8 GiB) again at SNP_PRIVATE_BASE with the C-bit set in
 * every leaf, so snp_private(gpa) is a C=1 access to gpa while gpa itself
 * stays the C=0 (shared) access the rest of the runtime uses. The guest's
 * code, stack, page tables and ucalls stay in the shared low memory
 * (guest-tests/README.md says where this departs from hardware).
 *
 * Programs using it run at CPL0 (PVALIDATE and RMPADJUST need it) and call
 * snp_init() first.
 */
#ifndef GMV_GUEST_TESTS_LIB_SNP_H
#define GMV_GUEST_TESTS_LIB_SNP_H

#include "guest-tests/lib/catch.h"
#include "lib/types.h"

/* The private alias of the identity map: PML4 entry 1. */
#define SNP_PRIVATE_BASE (1ULL << 39)

/* The GHCB MSR and SEV_STATUS (AMD APM vol. 2 §15.34.10, §15.35.5). */
#define SNP_MSR_GHCB 0xc0010130u
#define SNP_MSR_SEV_STATUS 0xc0010131u

/* MSR protocol requests and responses in GHCBInfo, bits 11:0 (GHCB spec
 * 56421, "GHCB MSR Protocol"). */
#define SNP_MSR_INFO_MASK 0xfffULL
#define SNP_MSR_SEV_INFO_REQ 0x002
#define SNP_MSR_SEV_INFO_RESP 0x001
#define SNP_MSR_CPUID_REQ 0x004
#define SNP_MSR_CPUID_RESP 0x005
#define SNP_MSR_REG_GPA_REQ 0x012
#define SNP_MSR_REG_GPA_RESP 0x013
#define SNP_MSR_PSC_REQ 0x014
#define SNP_MSR_PSC_RESP 0x015
#define SNP_MSR_HV_FT_REQ 0x080
#define SNP_MSR_HV_FT_RESP 0x081
#define SNP_MSR_TERM_REQ 0x100

/* Page-state-change operations (GHCB spec 56421, "SNP Page State
 * Change"). */
#define SNP_PSC_PRIVATE 1
#define SNP_PSC_SHARED 2
#define SNP_PSC_PSMASH 3
#define SNP_PSC_UNSMASH 4

/* #VC error code for an access to a page not validated (APM vol. 2
 * §15.36.10). */
#define SNP_VC_NOT_VALIDATED 0x404

static inline u64 snp_rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return (u64)hi << 32 | lo;
}

static inline void snp_wrmsr(u32 msr, u64 val)
{
	asm volatile("wrmsr"
		     :
		     : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32))
		     : "memory");
}

/* VMGEXIT: REP VMMCALL (F3 0F 01 D9). */
static inline void snp_vmgexit(void)
{
	asm volatile(".byte 0xf3, 0x0f, 0x01, 0xd9" ::: "memory");
}

/*
 * PVALIDATE (F2 0F 01 FF): RAX = va, RCX = page size (1: 2 MiB), RDX =
 * validate. Returns the return code; *no_update = CF (the page was in
 * that state already, nothing changed).
 */
static inline u64 pvalidate(u64 va, bool size_2m, bool validate,
			    bool *no_update)
{
	u64 rax = va;
	u8 cf;

	asm volatile(".byte 0xf2, 0x0f, 0x01, 0xff\n\tsetc %1"
		     : "+a"(rax), "=qm"(cf)
		     : "c"((u64)size_2m), "d"((u64)validate)
		     : "memory", "cc");
	*no_update = cf;
	return rax;
}

/* RMPADJUST (F3 0F 01 FE): RAX = va, RCX = page size, RDX = attributes
 * (target VMPL 7:0, permission mask 15:8, VMSA 16). The return code. */
static inline u64 rmpadjust(u64 va, bool size_2m, u64 attrs)
{
	u64 rax = va;

	asm volatile(".byte 0xf3, 0x0f, 0x01, 0xfe"
		     : "+a"(rax)
		     : "c"((u64)size_2m), "d"(attrs)
		     : "memory", "cc");
	return rax;
}

static inline u64 snp_private(u64 gpa)
{
	return SNP_PRIVATE_BASE + gpa;
}

/* Set up the guest's GDT and IDT (guest_exceptions_init()), check
 * SEV_STATUS says SNP, learn the C-bit and map the private alias.
 * Returns the C-bit position. */
unsigned int snp_init(void);

/* One MSR protocol exchange: write req to the GHCB MSR, VMGEXIT, return
 * what the hypervisor left there. */
u64 snp_msr_protocol(u64 req);

/* Page-state change of the 4 KiB page at gpa by the MSR protocol: the
 * response's error field (bits 63:32), or ~0 when the response is not a
 * PSC response. */
u64 snp_psc_msr(u64 gpa, bool to_private);

/* ---- the GHCB page (shared, registered with the hypervisor) ---- */

/* GHCB layout (GHCB spec 56421, "GHCB Layout"; Linux struct ghcb). */
#define GHCB_OFF_SW_EXIT_CODE 0x390
#define GHCB_OFF_SW_EXIT_INFO1 0x398
#define GHCB_OFF_SW_EXIT_INFO2 0x3a0
#define GHCB_OFF_SW_SCRATCH 0x3a8
#define GHCB_OFF_VALID_BITMAP 0x3f0
#define GHCB_OFF_SHARED_BUFFER 0x800
#define GHCB_SHARED_BUFFER_SIZE 0x7f0
#define GHCB_OFF_PROTOCOL_VERSION 0xffa
#define GHCB_OFF_USAGE 0xffc
#define GHCB_NAE_PSC 0x80000010ULL

/* What the hypervisor answers in SW_EXITINFO1/2 (GHCB spec, "Invoking
 * VMGEXIT"; Linux sev-common.h): EXITINFO1 2 = malformed input with the
 * reason in EXITINFO2; a page-state change's own errors in EXITINFO2. */
#define GHCB_HV_RESP_MALFORMED 2
#define GHCB_ERR_INVALID_EVENT 6
#define SNP_PSC_ERR_INVALID_HDR ((1ULL << 32) | 1)
#define SNP_PSC_ERR_INVALID_ENTRY ((1ULL << 32) | 2)
#define SNP_PSC_ERR_GENERIC (0x100ULL << 32)

/* A page-state-change descriptor (GHCB spec, "SNP Page State Change"):
 * header, then up to
 * 253 entries (cur_page 11:0, GFN 51:12, operation 55:52, 2 MiB 56). */
#define SNP_PSC_MAX_ENTRIES 253
struct snp_psc_desc {
	u16 cur_entry;
	u16 end_entry;
	u32 reserved;
	u64 entries[SNP_PSC_MAX_ENTRIES];
};

static inline u64 snp_psc_entry(u64 gpa, unsigned int op, bool size_2m)
{
	return (gpa & 0x000ffffffffff000ULL) | (u64)op << 52 |
	       (u64)size_2m << 56;
}

/* The guest's GHCB page: register it by the MSR protocol (its GPA as the
 * response says, or 0 if refused). */
u8 *snp_ghcb(void);
u64 snp_ghcb_register(void);

/*
 * One GHCB VMGEXIT for event exit_code with info1, info2 and scratch,
 * marking them valid; returns SW_EXITINFO1 and *info2 = SW_EXITINFO2 as
 * the hypervisor left them.
 */
u64 snp_ghcb_call(u64 exit_code, u64 info1, u64 info2, u64 scratch,
		  u64 *info2_out);

/*
 * Issue the page-state change held in the GHCB's shared buffer (desc,
 * copied there first) and re-issue it while cur_entry <= end_entry, as a
 * guest must (the hypervisor may stop early). Returns 0, or the first
 * nonzero SW_EXITINFO2 (SW_EXITINFO1 in *info1), or ~0 when the
 * hypervisor moved cur_entry back or changed end_entry. *calls counts
 * the VMGEXITs; desc gets the final descriptor.
 */
u64 snp_psc_ghcb(struct snp_psc_desc *desc, u64 *info1, u64 *calls);

/* psc(gpa, npages, to_private): the common case, 4 KiB entries, or 2 MiB
 * ones where gpa and what is left are 2 MiB aligned; the GHCB registered
 * at the first call. 0 or the error. */
u64 psc(u64 gpa, u64 npages, bool to_private);

#endif
