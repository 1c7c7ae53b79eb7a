/* SPDX-License-Identifier: MIT */
/*
 * hv/tdx/tdx_seamcall.h - the host's SEAMCALL leaves, one function each,
 * and the one primitive they go through. Owns the leaf numbers (the TDX
 * module's include/tdx_api_defs.h enum, the numbers Linux's
 * arch/x86/virt/vmx/tdx/tdx.h repeats) and each leaf's register image:
 * RAX = leaf | version << 16 (bits 63:24 zero), inputs in RCX, RDX, R8,
 * R9; the module puts its status in RAX and outputs back in RCX, RDX, R8.
 * Intel TDX Module ABI spec, "SEAMCALL Instruction (Common)" and each
 * leaf's "Host-Side (SEAMCALL) Interface Functions" section; the operand
 * order is the module's src/vmm_dispatcher/tdx_vmm_dispatcher.c.
 *
 * The primitive: in the payload the SEAMCALL instruction itself
 * (hv/tdx/tdx_hw.c); in a host build a function pointer the host tests
 * set to a recorder (hv/tdx/tdx_host.c). The struct tdx_module_ops over
 * these leaves is tdx_seamcall_ops (hv/tdx/tdx_module.h).
 */
#ifndef GMV_HV_TDX_TDX_SEAMCALL_H
#define GMV_HV_TDX_TDX_SEAMCALL_H

#include "hv/tdx/tdx_module.h"

enum tdh_leaf {
	TDH_MNG_ADDCX = 1,
	TDH_MEM_PAGE_ADD = 2,
	TDH_MEM_SEPT_ADD = 3,
	TDH_MEM_PAGE_AUG = 6,
	TDH_MEM_RANGE_BLOCK = 7,
	TDH_MNG_KEY_CONFIG = 8,
	TDH_MNG_CREATE = 9,
	TDH_MEM_PAGE_DEMOTE = 15,
	TDH_MR_EXTEND = 16,
	TDH_MR_FINALIZE = 17,
	TDH_MNG_VPFLUSHDONE = 19,
	TDH_MNG_KEY_FREEID = 20,
	TDH_MNG_INIT = 21,
	TDH_MEM_PAGE_PROMOTE = 23,
	TDH_PHYMEM_PAGE_RECLAIM = 28,
	TDH_MEM_PAGE_REMOVE = 29,
	TDH_MEM_TRACK = 38,
	TDH_MEM_RANGE_UNBLOCK = 39,
	TDH_PHYMEM_CACHE_WB = 40,
};
#define TDH_VERSION_SHIFT 16

/* The registers SEAMCALL reads and writes for the leaves here (R10/R11
 * are inputs of version-1 leaves only and stay zero). */
struct tdx_seamcall_regs {
	u64 rax, rcx, rdx, r8, r9, r10, r11;
};

/* Executes SEAMCALL with r: the status lands in r->rax and is returned,
 * the outputs in the other fields. A SEAMCALL that reaches no module
 * returns TDX_SEAMCALL_VMFAILINVALID. */
u64 tdx_seamcall(struct tdx_seamcall_regs *r);

/* Host build only (hv/tdx/tdx_host.c): what tdx_seamcall() calls. NULL,
 * the default, answers TDX_SEAMCALL_UD, as SEAMCALL outside VMX root
 * does. */
extern u64 (*tdx_seamcall_hook)(struct tdx_seamcall_regs *r);

/*
 * Retries, as Linux does (hv/tdx/README.md, "The hardware path"):
 * every leaf is issued again up to TDH_RND_RETRIES times in all while it
 * answers RND_NO_ENTROPY (arch/x86/include/asm/tdx.h sc_retry, with
 * RDRAND_RETRY_LOOPS 10); PROMOTE and DEMOTE again while they answer
 * INTERRUPTED_RESTARTABLE and CACHE.WB resumed while it answers
 * INTERRUPTED_RESUMABLE, up to TDH_INTERRUPT_RETRIES times (Linux loops
 * without a bound; we bound it so an interrupt storm is a status, not a
 * hang). OPERAND_BUSY goes back to the caller: only it can make the
 * vCPUs holding the lock leave the TD (KVM's tdh_do_no_vcpus()).
 */
#define TDH_RND_RETRIES 10
#define TDH_INTERRUPT_RETRIES 64

/* The leaves. tdr is the TDR page's physical address; level 0 is 4 KiB.
 * A gpa with bits 11:0 set or a level above 7 would alias the other
 * field of RCX: answered OPERAND_INVALID on RCX without a SEAMCALL, as
 * the module answers reserved bits. ext (NULL allowed) gets RCX and RDX
 * as the leaf leaves them. */
u64 tdh_mem_sept_add(u64 tdr, u64 gpa, unsigned int level, u64 page,
		     struct tdx_ext *ext);
u64 tdh_mem_page_aug(u64 tdr, u64 gpa, unsigned int level, u64 page,
		     struct tdx_ext *ext);
u64 tdh_mem_page_add(u64 tdr, u64 gpa, u64 page, u64 src, struct tdx_ext *ext);
u64 tdh_mem_range_block(u64 tdr, u64 gpa, unsigned int level,
			struct tdx_ext *ext);
u64 tdh_mem_range_unblock(u64 tdr, u64 gpa, unsigned int level,
			  struct tdx_ext *ext);
u64 tdh_mem_track(u64 tdr);
u64 tdh_mem_page_remove(u64 tdr, u64 gpa, unsigned int level,
			struct tdx_ext *ext);
u64 tdh_mem_page_promote(u64 tdr, u64 gpa, unsigned int level,
			 struct tdx_ext *ext);
u64 tdh_mem_page_demote(u64 tdr, u64 gpa, unsigned int level, u64 page,
			struct tdx_ext *ext);
/* RCX out: the page type, RDX: its owner (a TDR). R8, the page size, is
 * dropped: struct tdx_ext holds RCX and RDX only. */
u64 tdh_phymem_page_reclaim(u64 page, struct tdx_ext *ext);

/* RCX the 256-byte chunk's GPA (bits 7:0 the module's to refuse), RDX
 * TDR; the module reads the chunk through the TD's key. */
u64 tdh_mr_extend(u64 tdr, u64 gpa, struct tdx_ext *ext);

/* The TD's lifecycle. */
u64 tdh_mng_create(u64 tdr, u16 hkid);
u64 tdh_mng_addcx(u64 tdr, u64 tdcs_page);
u64 tdh_mng_key_config(u64 tdr);
/* RCX out: on a CPUID configuration error, the leaf and subleaf of
 * TD_PARAMS refused (the module's tdh_mng_init.c). */
u64 tdh_mng_init(u64 tdr, u64 td_params, struct tdx_ext *ext);
u64 tdh_mr_finalize(u64 tdr);
u64 tdh_mng_vpflushdone(u64 tdr);
/* Write back and invalidate the caches of the HKIDs being freed, on this
 * CPU's package, resuming while interrupted. */
u64 tdh_phymem_cache_wb(void);
u64 tdh_mng_key_freeid(u64 tdr);

#endif
