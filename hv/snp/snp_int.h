/* SPDX-License-Identifier: MIT */
/*
 * hv/snp/snp_int.h - what the files of SEV-SNP's security model share
 * (hv/snp/snp_cc.c: the RMP and the memory hooks; hv/snp/snp_guest.c:
 * the guest's requests): an SNP VM's state and the RMP in use. Nothing
 * outside hv/snp/ includes it.
 */
#ifndef GMV_HV_SNP_SNP_INT_H
#define GMV_HV_SNP_SNP_INT_H

#include "hv/snp/ghcb.h"
#include "hv/snp/snp.h"

/* What a vCPU of an SNP VM keeps (the emulated guest-side state). */
struct snp_vcpu {
	/* The GHCB protocol's state, the GHCB MSR in it (on hardware the
	 * MSR lives in the VMSA). */
	struct ghcb_vcpu ghcb;
	/* Length of the VMGEXIT whose request waits for the VMM. */
	u8 vmgexit_len;
};

struct snp_vm {
	u32 asid;
	struct snp_vcpu vcpu[ARCH_MAX_VCPUS];
};

/* The RMP the SNP VMs use (NULL while there is none). */
extern struct rmp *snp_rmp_now;

/* hv/snp/snp_guest.c: cc_ops.guest, .guest_complete and .access of the
 * model (hv/cc.h). On hardware the CPU does all three itself. */
const char *snp_guest_lacks(void);
/* A new SNP VM's vCPU state (the GHCB MSR as at RESET). */
void snp_guest_init(struct snp_vm *s);
int snp_guest(struct cc_guest_req *req, struct vmm_exit *exit);
int snp_guest_complete(struct cc_guest_req *req, const struct vmm_exit *exit,
		       struct vmm_exit *next);
int snp_access(struct cc_guest_req *req, u64 gpa, phys_addr_t pa, bool write,
	       unsigned int *order);

#endif
