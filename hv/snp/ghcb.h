/* SPDX-License-Identifier: MIT */
/*
 * hv/snp/ghcb.h - the hypervisor side of the SEV-SNP Guest-Hypervisor
 * Communication Block protocol (GHCB spec, AMD pub. 56421, v2): the MSR
 * protocol (GHCB MSR 0xC001_0130) and the GHCB page's SNP Page State
 * Change NAE event. Pure logic, no libc: guest memory, CPUID and the VMM
 * are reached through struct ghcb_env only, and a request that needs the
 * VMM (a page state change) comes back as a GHCB_MAP_GPA action that the
 * caller turns into a KVM_HC_MAP_GPA_RANGE exit and answers with
 * ghcb_complete(). Owns the per-vCPU protocol state (struct ghcb_vcpu);
 * the caller (hv/snp/snp_cc.c) keeps one per vCPU.
 *
 * Where Linux's arch/x86/kvm/svm/sev.c and the spec leave a choice, the
 * comment at the rule says which one is taken (and hv/snp/README.md).
 */
#ifndef GMV_HV_SNP_GHCB_H
#define GMV_HV_SNP_GHCB_H

#include "lib/types.h"

/* The GHCB MSR (GHCB spec "GHCB MSR Protocol"). */
#define MSR_AMD64_SEV_ES_GHCB 0xc0010130U

/* GHCB spec "GHCB MSR Protocol": GHCBInfo is bits 11:0 and the
 * request or response code, GHCBData bits 63:12 (Linux sev-common.h). */
#define GHCB_MSR_INFO_MASK 0xfffULL
/* SEV_INFO response: max protocol [63:48], min [47:32], C-bit [31:24]. */
#define GHCB_MSR_SEV_INFO_RESP 0x001ULL
#define GHCB_MSR_SEV_INFO_REQ 0x002ULL
#define GHCB_MSR_CPUID_REQ 0x004ULL /* fn [63:32], register [31:30] */
#define GHCB_MSR_CPUID_RESP 0x005ULL /* value [63:32] */
#define GHCB_MSR_AP_RESET_HOLD_REQ 0x006ULL /* not served here (see ghcb.c) */
#define GHCB_MSR_PREF_GPA_REQ 0x010ULL
#define GHCB_MSR_PREF_GPA_RESP 0x011ULL /* GFN [63:12], all ones: none */
#define GHCB_MSR_REG_GPA_REQ 0x012ULL /* GFN [63:12] */
#define GHCB_MSR_REG_GPA_RESP 0x013ULL /* GFN [63:12], all ones: refused */
#define GHCB_MSR_PSC_REQ 0x014ULL /* GFN [51:12], operation [55:52] */
#define GHCB_MSR_PSC_RESP 0x015ULL /* error [63:32], 0: done */
#define GHCB_MSR_HV_FT_REQ 0x080ULL
#define GHCB_MSR_HV_FT_RESP 0x081ULL /* features [63:12] */
#define GHCB_MSR_TERM_REQ 0x100ULL /* reason set [15:12], code [23:16] */
/* The 52-bit GFN field all ones: no preferred GPA / registration refused
 * (Linux GHCB_MSR_PREF_GPA_NONE; KVM commit "Add support to handle GHCB
 * GPA register VMGEXIT": "otherwise return -1"). */
#define GHCB_MSR_GFN_NONE 0xfffffffffffffULL
/* KVM's MSR page state change failure: bit 63 of the error field
 * (Linux GHCB_MSR_PSC_RESP_ERROR). */
#define GHCB_MSR_PSC_RESP_ERROR (BIT(63) | GHCB_MSR_PSC_RESP)

/* GHCB protocol versions: SNP needs 2; KVM reports min 1, max 2
 * (GHCB_VERSION_MIN, GHCB_VERSION_MAX in arch/x86/kvm/svm/sev.c). */
#define GHCB_PROTOCOL_MIN 1
#define GHCB_PROTOCOL_MAX 2

/* Hypervisor features (GHCB spec "Hypervisor Feature Support";
 * Linux GHCB_HV_FT_*). */
#define GHCB_HV_FT_SNP BIT(0)
#define GHCB_HV_FT_SNP_AP_CREATION BIT(1)
#define GHCB_HV_FT_SNP_MULTI_VMPL BIT(5)

/* The GHCB page (GHCB spec "GHCB Layout"; Linux struct ghcb):
 * byte offsets. The valid bitmap has a bit per 8-byte field of the save
 * area: bit (offset / 8). */
#define GHCB_PAGE_SIZE 4096U
#define GHCB_OFF_SW_EXITCODE 0x390U
#define GHCB_OFF_SW_EXITINFO1 0x398U
#define GHCB_OFF_SW_EXITINFO2 0x3a0U
#define GHCB_OFF_SW_SCRATCH 0x3a8U
#define GHCB_OFF_VALID_BITMAP 0x3f0U /* 16 bytes */
#define GHCB_OFF_SHARED_BUF 0x800U
#define GHCB_OFF_SHARED_BUF_END 0xff0U /* 2032 bytes of shared buffer */
#define GHCB_OFF_VERSION 0xffaU /* u16 */
#define GHCB_OFF_USAGE 0xffcU /* u32, 0: the standard format */
#define GHCB_VALID_BIT(off) ((off) / 8U)

/* SW_EXITINFO1 answers (GHCB spec, the NAE events' return values): 0
 * done, 2 the input was wrong, with a GHCB_ERR_* in SW_EXITINFO2 (Linux
 * sev-common.h). */
#define GHCB_EXITINFO1_ERROR 2ULL
#define GHCB_ERR_NOT_REGISTERED 1ULL
#define GHCB_ERR_INVALID_USAGE 2ULL
#define GHCB_ERR_INVALID_SCRATCH_AREA 3ULL
#define GHCB_ERR_MISSING_INPUT 4ULL
#define GHCB_ERR_INVALID_INPUT 5ULL
#define GHCB_ERR_INVALID_EVENT 6ULL

/* NAE event exit codes in SW_EXITCODE (GHCB spec, the table of NAE
 * events; Linux uapi/asm/svm.h SVM_VMGEXIT_*). */
#define SVM_VMGEXIT_PSC 0x80000010ULL
#define SVM_VMGEXIT_HV_FEATURES 0x8000fffdULL

/* SNP Page State Change (GHCB spec "SNP Page State Change";
 * Linux sev-common.h struct psc_hdr / psc_entry): a header
 * {u16 cur_entry, u16 end_entry (inclusive), u32 reserved} and up to 253
 * 8-byte entries: cur_page [11:0], GFN [51:12], operation [55:52],
 * page size [56] (1: 2 MiB), reserved [63:57]. */
#define GHCB_PSC_MAX_ENTRIES 253
#define GHCB_PSC_HDR_SIZE 8U
#define GHCB_PSC_OP_PRIVATE 1
#define GHCB_PSC_OP_SHARED 2
#define GHCB_PSC_OP_PSMASH 3 /* hint */
#define GHCB_PSC_OP_UNSMASH 4 /* hint */
#define GHCB_PSC_CUR_PAGE(e) ((e)&0xfffULL)
#define GHCB_PSC_GFN(e) (((e) >> 12) & 0xffffffffffULL)
#define GHCB_PSC_OP(e) (((e) >> 52) & 0xfULL)
#define GHCB_PSC_2M(e) (((e) >> 56) & 1ULL)
#define GHCB_PSC_RESERVED(e) ((e) >> 57)
/* SW_EXITINFO2 of a page state change (Linux VMGEXIT_PSC_ERROR_*). */
#define GHCB_PSC_ERROR_INVALID_HDR (BIT(32) | 1ULL)
#define GHCB_PSC_ERROR_INVALID_ENTRY (BIT(32) | 2ULL)
#define GHCB_PSC_ERROR_GENERIC (0x100ULL << 32)

#define GHCB_GPA_NONE (~0ULL)

/* The request waiting for the VMM's answer to a GHCB_MAP_GPA action. */
enum ghcb_pending {
	GHCB_PENDING_NONE,
	GHCB_PENDING_PSC_MSR, /* an MSR page state change (one page) */
	GHCB_PENDING_PSC, /* a run of a GHCB page state change */
};

/* Per-vCPU protocol state, kept by snp_cc.c in its per-vCPU state. */
struct ghcb_vcpu {
	/* The GHCB MSR (0xC001_0130) as the guest wrote it or the
	 * hypervisor answered: the caller stores a guest WRMSR here and
	 * gives the guest this value at RDMSR and at VMRUN. */
	u64 msr;
	/* The registered GHCB page's GPA, GHCB_GPA_NONE if none. */
	u64 gpa;
	/* The request waiting for ghcb_complete(), GHCB_PENDING_NONE if none.
	 */
	enum ghcb_pending pending;
	/* GHCB_PENDING_PSC: the descriptor's GPA and the run taken: entries
	 * psc_first .. psc_first + psc_count - 1. */
	u64 psc_desc;
	u16 psc_first, psc_count;
};

/* What the protocol needs from its caller. */
struct ghcb_env {
	void *ctx;
	/* Shared guest memory by GPA: 0 or -errno (-EFAULT: nothing there). */
	int (*read)(void *ctx, u64 gpa, void *buf, size_t len);
	int (*write)(void *ctx, u64 gpa, const void *buf, size_t len);
	/* CPUID as the guest should see it (fn, index) -> eax..edx. */
	void (*cpuid)(void *ctx, u32 fn, u32 index, u32 out[4]);
	unsigned int c_bit; /* C-bit position reported by SEV_INFO (47 here) */
	u64 hv_features; /* GHCB_HV_FT_* reported by the feature requests */
};

/* What the caller does after ghcb_vmgexit() or ghcb_complete(). */
struct ghcb_action {
	enum ghcb_action_kind {
		GHCB_RESUME, /* run the guest again */
		GHCB_MAP_GPA, /* exit to the VMM, then ghcb_complete() */
		GHCB_TERMINATE, /* the guest asked to be terminated */
		GHCB_FAIL, /* the guest broke the protocol: see why */
	} kind;
	/* GHCB_MAP_GPA: a KVM_HC_MAP_GPA_RANGE exit: args[0] = gpa,
	 * args[1] = npages (4 KiB pages), args[2] = attrs =
	 * GMV_MAP_GPA_RANGE_ENCRYPTED/DECRYPTED | GMV_MAP_GPA_RANGE_PAGE_SZ_*
	 * (hv/kvm_abi.h). */
	u64 gpa, npages, attrs;
	/* GHCB_TERMINATE: the GHCB MSR value (reason set [15:12], code
	 * [23:16]), as KVM's KVM_SYSTEM_EVENT_SEV_TERM data[0]. */
	u64 term;
	/* GHCB_FAIL: what the guest did wrong, for an internal-error exit. */
	char why[96];
};

/* No GHCB registered, nothing pending, the MSR 0. */
void ghcb_vcpu_init(struct ghcb_vcpu *g);

/* The SEV_INFO response (protocol max 2, min 1, env->c_bit): what the
 * GHCB MSR holds at vCPU RESET (KVM's sev_es_vcpu_reset sets it
 * so), and the answer to request 0x002. */
u64 ghcb_sev_info(const struct ghcb_env *env);

/*
 * A VMGEXIT: the MSR protocol when g->msr's GHCBInfo (bits 11:0) is
 * nonzero, else the GHCB page at g->msr. Fills *act; the answer is
 * already in g->msr or the GHCB unless act->kind is GHCB_MAP_GPA.
 * Returns 0, or -EBUSY while a request still waits for ghcb_complete()
 * (the caller's misuse).
 */
int ghcb_vmgexit(struct ghcb_vcpu *g, const struct ghcb_env *env,
		 struct ghcb_action *act);

/* The VMM will not answer the pending request (it moved the guest on):
 * drop it, writing nothing; the next VMGEXIT starts afresh. */
void ghcb_cancel(struct ghcb_vcpu *g);

/*
 * The VMM answered the GHCB_MAP_GPA exit with ret (hypercall.ret: 0 or a
 * nonzero error). Writes the response (the MSR or the GHCB) and fills
 * *act with what next. Returns 0, or -EINVAL when no request is pending.
 */
int ghcb_complete(struct ghcb_vcpu *g, const struct ghcb_env *env, u64 ret,
		  struct ghcb_action *act);

#endif
