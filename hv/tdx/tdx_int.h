/* SPDX-License-Identifier: MIT */
/*
 * hv/tdx/tdx_int.h - what the files of TDX's security model share
 * (hv/tdx/tdx_cc.c: the module and the memory hooks; hv/tdx/tdx_guest.c:
 * the TD guest's requests): a TDX VM's state. Nothing outside hv/tdx/
 * includes it.
 */
#ifndef GMV_HV_TDX_TDX_INT_H
#define GMV_HV_TDX_TDX_INT_H

#include "hv/tdx/tdx.h"

/* A #VE's information as the module keeps it per vCPU (the TDVPS's
 * VE_INFO), read back by TDG.VP.VEINFO.GET. */
struct tdx_ve_info {
	bool valid;
	u32 exit_reason;
	u64 exit_qualification, gla, gpa;
};

/* A TDG.VP.VMCALL<MapGPA> in progress: [next, end) still to go, both
 * with the shared bit as the guest gave it. */
struct tdx_map_gpa {
	bool busy;
	u64 next, end;
};

/* What a vCPU of a TDX VM keeps of the guest side. */
struct tdx_vcpu {
	struct tdx_ve_info ve;
	struct tdx_map_gpa map;
};

struct tdx_vm {
	u64 td;
	struct tdx_vcpu vcpu[ARCH_MAX_VCPUS];
};

/* hv/tdx/tdx_cc.c: split the 2 MiB leaf of td at gpa (aligned) into 4 KiB
 * leaves (block, track, kick, DEMOTE). 0 or -errno. */
int tdx_cc_demote(u64 td, u64 gpa);
/* Merge the 512 4 KiB leaves of td under the 2 MiB at gpa (aligned) into
 * one (block, track, kick, PROMOTE; the table page freed). -EINVAL when
 * they are not all MAPPED over one aligned 2 MiB of pages. */
int tdx_cc_promote(u64 td, u64 gpa);
/* The host address of the model's hpa. */
phys_addr_t tdx_cc_pa(u64 hpa);

/* hv/tdx/tdx_guest.c: cc_ops.guest, .guest_complete and .access of the
 * model (hv/cc.h). On hardware the TDX module does them itself. */
const char *tdx_guest_lacks(void);
int tdx_guest(struct cc_guest_req *req, struct vmm_exit *exit);
int tdx_guest_complete(struct cc_guest_req *req, const struct vmm_exit *exit,
		       struct vmm_exit *next);
int tdx_access(struct cc_guest_req *req, u64 gpa, phys_addr_t pa, bool write,
	       unsigned int *order);

#endif
