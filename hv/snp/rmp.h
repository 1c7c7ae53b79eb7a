/* SPDX-License-Identifier: MIT */
/*
 * hv/snp/rmp.h - the SEV-SNP Reverse Map Table (AMD APM vol. 2 §15.36).
 * Owns the one interface through which the hypervisor changes and reads
 * the RMP, and the two implementations behind it:
 *
 *  - the software model (hv/snp/rmp_model.c): one entry per 4 KiB page of
 *    a physical range, the host instructions RMPUPDATE, PSMASH, RMPREAD,
 *    and the guest instructions PVALIDATE, RMPADJUST, RMPQUERY emulated
 *    against it with their architectural outcome (APM vol. 3 instruction
 *    pages); it runs in host unit tests, tools and any vCPU backend;
 *  - the hardware RMP (hv/snp/rmp_hw.c, payload only): the real
 *    instructions on a machine whose firmware set up the RMP and SNP_EN.
 *    There the guest instructions run in the guest, so only the host side
 *    of the interface exists.
 *
 * Every call returns an enum rmp_ret: a return code the instruction puts
 * in EAX, or an outcome that is not a return code (PVALIDATE's CF=1, a
 * fault the instruction raises instead of returning).
 *
 * What gmem's cc_ops do with it (hv/snp/snp_cc.c, hv/snp/README.md):
 * prepare = RMPUPDATE assigned (2 MiB where the block allows), split =
 * PSMASH, convert/invalidate = PSMASH of a partly covered 2 MiB entry and
 * RMPUPDATE to hypervisor-owned before the allocator scrubs.
 */
#ifndef GMV_HV_SNP_RMP_H
#define GMV_HV_SNP_RMP_H

#include "lib/types.h"

#define RMP_PAGE_4K 4096ULL
#define RMP_PAGE_2M (2ULL << 20)
#define RMP_NR_VMPL 4
/* RMPADJUST permission mask bits (APM vol. 2 §15.36.7, VMPL permission
 * masks): read, write, user execute, supervisor execute, supervisor
 * shadow stack; bits 7:5 are reserved. */
#define RMP_PERM_READ BIT(0)
#define RMP_PERM_WRITE BIT(1)
#define RMP_PERM_XUSER BIT(2)
#define RMP_PERM_XSUPER BIT(3)
#define RMP_PERM_SSS BIT(4)
#define RMP_PERM_ALL 0x1fu

/*
 * Return codes. 0-4 and 6 agree in every source (APM vol. 3; Linux
 * arch/x86/include/asm/sev.h: RMPUPDATE_FAIL_OVERLAP 4,
 * PVALIDATE_FAIL_SIZEMISMATCH 6). PSMASH's FAIL_BADADDR is left open by
 * the sources: Microsoft's __psmash intrinsic page (restating the APM
 * vol. 3 PSMASH page) gives 7, AMD's first SNP hypervisor patches for
 * Linux (PSMASH_FAIL_BADADDR in arch/x86/include/asm/sev.h of that
 * series) give 4, which is FAIL_OVERLAP for RMPUPDATE. We choose 7, the
 * value that keeps one number per name across the instructions.
 */
enum rmp_ret {
	RMP_SUCCESS = 0,
	RMP_FAIL_INPUT = 1,
	RMP_FAIL_PERMISSION = 2,
	RMP_FAIL_INUSE = 3,
	RMP_FAIL_OVERLAP = 4,
	RMP_FAIL_SIZEMISMATCH = 6,
	RMP_FAIL_BADADDR = 7,
	/* Not return codes: PVALIDATE returned 0 with CF=1, nothing changed
	 * (APM vol. 3 PVALIDATE; Linux PVALIDATE_FAIL_NOUPDATE). */
	RMP_NO_UPDATE = 0x100,
	/* The instruction faulted instead of returning: a nested page fault
	 * with the RMP bit (the page is not the guest's at that GPA, or is
	 * immutable), the same with SIZEM (a 4 KiB access to a 2 MiB
	 * entry), #VC PAGE_NOT_VALIDATED (0x404), or #UD (a guest-side
	 * instruction outside an SNP guest: ASID 0). APM vol. 2 §15.36.10,
	 * Tables 15-39 and 15-40. */
	RMP_FAULT_NPF,
	RMP_FAULT_NPF_SIZEM,
	RMP_FAULT_VC_NOT_VALIDATED,
	RMP_FAULT_UD,
};

/* RMPUPDATE's new entry (APM vol. 3 RMPUPDATE, the 16-byte operand at
 * RCX; Linux struct rmp_state). */
struct rmp_state {
	u64 gpa;
	bool assigned;
	bool size_2m;
	bool immutable;
	u32 asid;
};

/* An entry as RMPREAD reports it, with the fields RMPREAD leaves out
 * (Validated, VMSA, the VMPL permission masks) that the model keeps. For a
 * page inside a 2 MiB entry, the 2 MiB entry. */
struct rmp_info {
	u64 gpa;
	bool assigned, size_2m, immutable, validated, vmsa;
	u32 asid;
	u8 perms[RMP_NR_VMPL];
};

/* Who executes a guest-side instruction: the guest's ASID and the VMPL it
 * runs at. */
struct rmp_guest {
	u32 asid;
	unsigned int vmpl;
};

struct rmp;

/* The host side: what both implementations provide. asid is the ASID the
 * instruction executes with: 0 for the hypervisor, a guest's otherwise
 * (FAIL_PERMISSION). */
struct rmp_ops {
	const char *name;
	enum rmp_ret (*rmpupdate)(struct rmp *r, u32 asid, phys_addr_t spa,
				  const struct rmp_state *st);
	enum rmp_ret (*psmash)(struct rmp *r, u32 asid, phys_addr_t spa);
	enum rmp_ret (*rmpread)(struct rmp *r, u32 asid, phys_addr_t spa,
				struct rmp_info *out);
	void (*destroy)(struct rmp *r);
};

/* An RMP covering [base, base + size). */
struct rmp {
	const struct rmp_ops *ops;
	phys_addr_t base;
	u64 size;
};

static inline enum rmp_ret rmpupdate(struct rmp *r, phys_addr_t spa,
				     const struct rmp_state *st)
{
	return r->ops->rmpupdate(r, 0, spa, st);
}

static inline enum rmp_ret psmash(struct rmp *r, phys_addr_t spa)
{
	return r->ops->psmash(r, 0, spa);
}

static inline enum rmp_ret rmpread(struct rmp *r, phys_addr_t spa,
				   struct rmp_info *out)
{
	return r->ops->rmpread(r, 0, spa, out);
}

static inline void rmp_destroy(struct rmp *r)
{
	r->ops->destroy(r);
}

/* The name of a return code or outcome ("FAIL_INPUT", "NPF", ...). */
const char *rmp_ret_name(enum rmp_ret ret);

/* ---- the software model (hv/snp/rmp_model.c) ---- */

/* A model RMP over [base, base + size) (both multiples of 2 MiB), every page
 * hypervisor-owned; its entries come from hv_pool (owner OWN_RMP). NULL on a
 * bad range or out of memory. */
struct rmp *rmp_model_create(phys_addr_t base, u64 size);
/* Is r a model (the guest-side calls below need one)? */
bool rmp_is_model(const struct rmp *r);
/* Bytes of metadata the model spends for its range. */
u64 rmp_model_meta_bytes(const struct rmp *r);

/*
 * The host-write guard. On hardware a hypervisor (ASID 0) write to an
 * assigned page is a #PF with the RMP bit, and a write through a 2 MiB or
 * 1 GiB host mapping needs every 4 KiB entry of its 2 MiB region
 * unassigned; host reads are not checked (APM vol. 2 §15.36.10, Table
 * 15-39). A model over real memory can have the platform do the same:
 * after rmp_model_guard_host(r), each RMPUPDATE of r that succeeds calls
 * plat_rmp_guard() for the pages it covers, writable only when it made
 * them hypervisor-owned (assigned includes immutable and firmware-owned
 * pages). PSMASH, the guest instructions and the in-use marks change no
 * page's owner. Destroying r makes its pages still assigned writable.
 * Opt-in: a model over a range that is not memory (tools/replay) is never
 * guarded.
 */
void rmp_model_guard_host(struct rmp *r);
/* The platform's half (boot/rmp_guard.c, plat/host/rmp_guard.c): allow or
 * refuse host writes to the 4 KiB-aligned [pa, pa + size), which a model
 * covers. A guard the platform cannot apply is reported on the console
 * and leaves the pages writable: a check lost, not a state. */
void plat_rmp_guard(phys_addr_t pa, u64 size, bool writable);

/* Mark the page at spa in use, as VMRUN marks a running vCPU's VMCB and
 * VMSA (APM vol. 2 §15.36, VMRUN's RMP checks, Table 15-41): RMPUPDATE and
 * PSMASH touching it give FAIL_INUSE. -EINVAL outside the range. */
int rmp_model_set_in_use(struct rmp *r, phys_addr_t spa, bool in_use);

/*
 * The guest-side instructions, executed by guest g on the page that its
 * translation maps gpa to spa. size_2m is the operand's page size.
 *  - PVALIDATE: validate (1) or rescind (0).
 *  - RMPADJUST: set target_vmpl's permission mask to perms and, at VMPL0,
 *    the VMSA bit to vmsa.
 *  - RMPQUERY: the permission mask of target_vmpl and the VMSA bit.
 */
enum rmp_ret rmp_model_pvalidate(struct rmp *r, const struct rmp_guest *g,
				 u64 gpa, phys_addr_t spa, bool size_2m,
				 bool validate);
enum rmp_ret rmp_model_rmpadjust(struct rmp *r, const struct rmp_guest *g,
				 u64 gpa, phys_addr_t spa, bool size_2m,
				 unsigned int target_vmpl, unsigned int perms,
				 bool vmsa);
enum rmp_ret rmp_model_rmpquery(struct rmp *r, const struct rmp_guest *g,
				u64 gpa, phys_addr_t spa,
				unsigned int target_vmpl, u8 *perms, bool *vmsa,
				bool *size_2m);

/* SNP_LAUNCH_UPDATE's effect on the 4 KiB page at spa, assigned to asid
 * at gpa: Validated set (rmp_model.c says more). */
enum rmp_ret rmp_model_launch_update(struct rmp *r, phys_addr_t spa, u32 asid,
				     u64 gpa);

/* The model's invariants (no assigned 4 KiB entry inside an assigned
 * 2 MiB one, nothing but the page size kept by a hypervisor-owned entry,
 * aligned GPAs). 0 or -EIO after printing the first problem. */
int rmp_model_check(const struct rmp *r);

/* ---- the hardware RMP (hv/snp/rmp_hw.c, payload only) ---- */

/* NULL where the CPU has SNP enabled with an RMP covering memory, else
 * why not (for a SKIP line). The host build has no hardware RMP. */
const char *rmp_hw_lacks(void);
/* The hardware RMP (whose range is what RMP_BASE/RMP_END cover), or NULL
 * where rmp_hw_lacks() names a reason. */
struct rmp *rmp_hw_get(void);

#endif
