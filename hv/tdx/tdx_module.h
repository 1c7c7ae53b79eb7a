/* SPDX-License-Identifier: MIT */
/*
 * hv/tdx/tdx_module.h - the Intel TDX module's memory management, as one
 * interface: the host's SEAMCALL leaves that build and tear down a TD's
 * private memory (TDH.MEM.SEPT.ADD, TDH.MEM.PAGE.AUG/ADD,
 * TDH.MEM.RANGE.BLOCK/UNBLOCK, TDH.MEM.TRACK, TDH.MEM.PAGE.REMOVE,
 * TDH.MEM.PAGE.PROMOTE/DEMOTE, TDH.PHYMEM.PAGE.RECLAIM), the
 * measurement of a TD's initial memory (TDH.MEM.PAGE.ADD's and
 * TDH.MR.EXTEND's updates of MRTD, a SHA-384 TDH.MR.FINALIZE completes),
 * the guest's TDG.MEM.PAGE.ACCEPT, the TD lifecycle as far as those
 * leaves check it (TDH.MNG.CREATE/KEY.CONFIG/INIT, TDH.MR.FINALIZE, key
 * teardown, the TDR's own reclaim), and a vCPU passing through a TD exit
 * (what TLB tracking waits for).
 *
 * Owns the completion status encoding (Intel TDX Module ABI spec, "Function
 * Completion Status": bit 63 error, 62 non-recoverable, 47:40 class, 39:32
 * details L1, 31:0 details L2, usually the operand id) and the names the
 * statuses print as. Every call returns the 64-bit status; struct tdx_ext
 * gets what the leaf leaves in RCX/RDX (the S-EPT entry and its level and
 * state after a walk or state error, the removed page after a remove).
 *
 * Implementations: the software model (hv/tdx/tdx_model.c, every build)
 * and the hardware SEAMCALL path, not written yet: tdx_hw_lacks() says why
 * (hv/tdx/tdx_hw.c, tdx_host.c). hv/tdx/README.md lists the rules, the
 * choices the sources leave open, and the test reaching each status.
 */
#ifndef GMV_HV_TDX_TDX_MODULE_H
#define GMV_HV_TDX_TDX_MODULE_H

#include "lib/types.h"

/* ---- completion status (upper 32 bits; the lower 32 hold the operand
 * id). Values: Linux arch/x86/include/asm/shared/tdx_errno.h (and
 * arch/x86/kvm/vmx/tdx_errno.h) and the TDX module's
 * include/auto_gen/tdx_error_codes_defs.h. ---- */
#define TDX_SUCCESS 0ULL
#define TDX_STATUS_MASK 0xFFFFFFFF00000000ULL
#define TDX_ERROR_BIT BIT(63)
#define TDX_OPERAND_INVALID 0xC000010000000000ULL
#define TDX_OPERAND_ADDR_RANGE_ERROR 0xC000010100000000ULL
#define TDX_OPERAND_BUSY 0x8000020000000000ULL
#define TDX_PREVIOUS_TLB_EPOCH_BUSY 0x8000020100000000ULL
#define TDX_PAGE_METADATA_INCORRECT 0xC000030000000000ULL
#define TDX_TD_ASSOCIATED_PAGES_EXIST 0xC000040000000000ULL
#define TDX_LIFECYCLE_STATE_INCORRECT 0xC000060700000000ULL
#define TDX_OP_STATE_INCORRECT 0xC000060800000000ULL
#define TDX_NO_VCPUS 0xC000060900000000ULL
#define TDX_MAX_VCPUS_EXCEEDED 0xC000070500000000ULL
#define TDX_TD_KEYS_NOT_CONFIGURED 0x8000081000000000ULL
#define TDX_EPT_WALK_FAILED 0xC0000B0000000000ULL
#define TDX_EPT_ENTRY_NOT_PRESENT 0xC0000B0300000000ULL
#define TDX_GPA_RANGE_NOT_BLOCKED 0xC0000B0600000000ULL
#define TDX_GPA_RANGE_ALREADY_BLOCKED 0x00000B0700000000ULL /* warning */
#define TDX_TLB_TRACKING_NOT_DONE 0xC0000B0800000000ULL
#define TDX_EPT_INVALID_PROMOTE_CONDITIONS 0xC0000B0900000000ULL
#define TDX_PAGE_ALREADY_ACCEPTED 0x00000B0A00000000ULL /* warning */
#define TDX_PAGE_SIZE_MISMATCH 0xC0000B0B00000000ULL
#define TDX_EPT_ENTRY_STATE_INCORRECT 0xC0000B0D00000000ULL

/* Not statuses. A software error in Linux's encoding (TDX_SW_ERROR: bit 63
 * and class 0xFF): the model could not get memory for its metadata. And
 * TDG.MEM.PAGE.ACCEPT's third outcome: no status at all but a TD exit
 * (EPT violation, extended exit qualification type ACCEPT) so the host
 * can map the page and let the guest retry. */
#define TDX_SW_ERROR 0x8000FF0000000000ULL
#define TDX_MODEL_NO_MEMORY (TDX_SW_ERROR | 12)
#define TDX_EXIT_EPT_VIOLATION (TDX_SW_ERROR | 0x30)

/* Operand ids (details L2): registers by number, module objects from
 * 0x80 (the module's include/tdx_api_defs.h; Linux tdx_errno.h has
 * TDX_OPERAND_ID_SEPT 0x92 and TDX_OPERAND_ID_TD_EPOCH 0xa9). */
#define TDX_OPERAND_RCX 1
#define TDX_OPERAND_RDX 2
#define TDX_OPERAND_R8 8
#define TDX_OPERAND_R9 9
#define TDX_OPERAND_SEPT_TREE 0x92
#define TDX_OPERAND_TD_EPOCH 0xa9

/* S-EPT public entry states as RDX bits 15:8 report them (ABI spec,
 * "Secure EPT Entry Information"; Linux arch/x86/kvm/vmx/tdx_arch.h).
 * A TD that never migrates reaches only these seven. */
enum tdx_sept_state {
	TDX_SEPT_FREE = 0,
	TDX_SEPT_BLOCKED = 1,
	TDX_SEPT_PENDING = 2,
	TDX_SEPT_PENDING_BLOCKED = 3,
	TDX_SEPT_MAPPED = 4,
	TDX_SEPT_NL_BLOCKED = 0x81,
	TDX_SEPT_NL_MAPPED = 0x84,
};

/* PAMT page types (TDH.PHYMEM.PAGE.RDMD / RECLAIM output). */
enum tdx_page_type {
	TDX_PT_NDA = 0,
	TDX_PT_REG = 3,
	TDX_PT_EPT = 8,
};

/* S-EPT levels: 0 is a 4 KiB entry, 1 a 2 MiB one, 3 the root's entries
 * (4-level S-EPT, GPAW 48: private GPAs are below 2^47, bit 47 is the
 * shared bit). */
#define TDX_LEVEL_4K 0
#define TDX_LEVEL_2M 1
#define TDX_LEVEL_MAX 3
#define TDX_GPAW 48
#define TDX_SHARED_BIT BIT(TDX_GPAW - 1)
#define TDX_MAX_VCPUS 64
/* TDH.MR.EXTEND measures 256 bytes at a time; MRTD is a SHA-384. */
#define TDX_MR_CHUNK 256
#define TDX_MRTD_SIZE 48

static inline u64 tdx_level_size(unsigned int level)
{
	return 4096ULL << (9 * level);
}

/* What a leaf leaves in RCX and RDX besides RAX. After a walk, entry-lock
 * or state error: rcx = the S-EPT entry (architectural form), rdx = level
 * (2:0) | public state << 8. After REMOVE and PROMOTE: rcx = the page
 * freed. Zero otherwise. */
struct tdx_ext {
	u64 rcx, rdx;
};

/* How far a new TD gets (TDH.MNG.CREATE, TDH.MNG.KEY.CONFIG, TDH.MNG.INIT,
 * TDH.MR.FINALIZE in turn). */
enum tdx_td_stage {
	TDX_TD_CREATED, /* HKID assigned, keys not configured */
	TDX_TD_KEYS, /* keys configured, TDCS not initialised */
	TDX_TD_INITIALIZED, /* op_state INITIALIZED: PAGE.ADD allowed */
	TDX_TD_RUNNABLE, /* finalized: vCPUs run */
};

struct tdx_model;

/* ---- the software model (hv/tdx/tdx_model.c) ---- */

/* A model whose PAMT covers [0, size) of a physical address space (size
 * a multiple of 2 MiB): every page PT_NDA. Metadata from hv_pool (owner
 * OWN_TDX). NULL on a bad size or out of memory. */
struct tdx_model *tdx_model_create(u64 size);
void tdx_model_destroy(struct tdx_model *m);
/* Bytes of metadata spent now (PAMT and S-EPT tables). */
u64 tdx_model_meta_bytes(const struct tdx_model *m);

/* TD lifecycle. The TD's TDR/TDCS live outside the PAMT range. */
u64 tdx_td_create(struct tdx_model *m, u64 td, unsigned int nr_vcpus,
		  enum tdx_td_stage stage);
u64 tdx_td_finalize(struct tdx_model *m, u64 td); /* TDH.MR.FINALIZE */
u64 tdx_td_teardown(struct tdx_model *m, u64 td); /* HKID freed */
u64 tdx_td_reclaim(struct tdx_model *m, u64 td); /* the TDR's RECLAIM */

/* The SEAMCALL leaves. */
u64 tdx_sept_add(struct tdx_model *m, u64 td, u64 gpa, unsigned int level,
		 u64 hpa, struct tdx_ext *ext);
u64 tdx_page_aug(struct tdx_model *m, u64 td, u64 gpa, unsigned int level,
		 u64 hpa, struct tdx_ext *ext);
u64 tdx_page_add(struct tdx_model *m, u64 td, u64 gpa, u64 hpa, u64 src,
		 struct tdx_ext *ext);
u64 tdx_range_block(struct tdx_model *m, u64 td, u64 gpa, unsigned int level,
		    struct tdx_ext *ext);
u64 tdx_range_unblock(struct tdx_model *m, u64 td, u64 gpa, unsigned int level,
		      struct tdx_ext *ext);
u64 tdx_track(struct tdx_model *m, u64 td);
u64 tdx_page_remove(struct tdx_model *m, u64 td, u64 gpa, unsigned int level,
		    struct tdx_ext *ext);
u64 tdx_page_promote(struct tdx_model *m, u64 td, u64 gpa, unsigned int level,
		     struct tdx_ext *ext);
u64 tdx_page_demote(struct tdx_model *m, u64 td, u64 gpa, unsigned int level,
		    u64 hpa, struct tdx_ext *ext);
u64 tdx_page_reclaim(struct tdx_model *m, u64 hpa, struct tdx_ext *ext);
/* TDH.MR.EXTEND: the 256-byte chunk at gpa (256-aligned, in a MAPPED
 * leaf) extends the TD's MRTD. The module reads the chunk through the
 * TD's key at the page the S-EPT maps; the model holds no memory, so the
 * caller passes its bytes (data, TDX_MR_CHUNK of them; NULL: zeros). */
u64 tdx_mr_extend(struct tdx_model *m, u64 td, u64 gpa, const void *data,
		  struct tdx_ext *ext);

/* The guest: vCPU vcpu of td executes TDG.MEM.PAGE.ACCEPT. */
u64 tdx_accept(struct tdx_model *m, u64 td, unsigned int vcpu, u64 gpa,
	       unsigned int level, struct tdx_ext *ext);
/* vCPU vcpu passed through a TD exit and re-entered: it left the epoch it
 * entered in and now runs in the current one (TDH.VP.ENTER samples
 * TD_EPOCH). Needs a RUNNABLE TD. */
u64 tdx_vcpu_exit(struct tdx_model *m, u64 td, unsigned int vcpu);

/*
 * Locks another logical processor holds, for the OPERAND_BUSY statuses a
 * sequential caller cannot otherwise reach: the TD's S-EPT tree lock
 * (held exclusively), the host-side lock of one S-EPT entry, the TD epoch
 * lock (a vCPU entering), the PAMT entry of one page, the TDR (held
 * shared, as by a memory leaf: the leaves that take it exclusively,
 * TDH.MR.EXTEND and TDH.MR.FINALIZE, are OPERAND_BUSY on RDX). 0 or
 * -EINVAL.
 */
enum tdx_hold {
	TDX_HOLD_TDR,
	TDX_HOLD_SEPT_TREE,
	TDX_HOLD_ENTRY,
	TDX_HOLD_EPOCH,
	TDX_HOLD_PAGE,
};
int tdx_model_hold(struct tdx_model *m, enum tdx_hold what, u64 td, u64 gpa,
		   unsigned int level, bool held);

/* ---- reading the model back ---- */
struct tdx_entry_info {
	enum tdx_sept_state state;
	unsigned int level; /* where the walk stopped, if short of asked */
	bool reached; /* the walk reached the level asked */
	u64 hpa;
};
/* The S-EPT entry of td at gpa and level. -EINVAL for no such TD. */
int tdx_model_entry(const struct tdx_model *m, u64 td, u64 gpa,
		    unsigned int level, struct tdx_entry_info *out);

struct tdx_page_info {
	enum tdx_page_type type;
	u64 owner; /* TD id */
	unsigned int level; /* 0: 4 KiB, 1: part of a 2 MiB page */
	u64 bepoch;
};
int tdx_model_page(const struct tdx_model *m, u64 hpa,
		   struct tdx_page_info *out);

struct tdx_td_info {
	bool finalized, keys_configured, torn_down;
	u64 epoch;
	u64 child_pages; /* 4 KiB pages in the PAMT owned by the TD */
	unsigned int nr_vcpus;
	/* TDCS.MRTD: the SHA-384 TDH.MR.FINALIZE completed; zeros before. */
	u8 mrtd[TDX_MRTD_SIZE];
};
int tdx_model_td(const struct tdx_model *m, u64 td, struct tdx_td_info *out);

/* The invariants: S-EPT and PAMT agree for every live TD (each mapped
 * page and table PT_REG/PT_EPT of that TD at the size mapped, owned pages
 * counted), no table under a leaf. 0 or -EIO after printing the first
 * problem. */
int tdx_model_check(const struct tdx_model *m);

/* The name of a status without its TDX_ prefix ("EPT_WALK_FAILED"), of
 * its upper 32 bits; "UNKNOWN" for none we know. */
const char *tdx_status_name(u64 status);
/* A warning: not an error, not success (bit 63 clear, class set). */
static inline bool tdx_status_is_warning(u64 status)
{
	return !(status & TDX_ERROR_BIT) && (status & TDX_STATUS_MASK);
}

/* ---- the hardware SEAMCALL path ---- */
/* Why it is absent (always, for now). */
const char *tdx_hw_lacks(void);

#endif
