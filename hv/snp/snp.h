/* SPDX-License-Identifier: MIT */
/*
 * hv/snp/snp.h - SEV-SNP's security model (hv/cc.h) for KVM_X86_SNP_VM
 * (type 4). Owns the RMP that gmem drives through the cc hooks
 * (hv/snp/snp_cc.c) and each SNP VM's ASID. Two registrations of the
 * same hooks: cc_snp_hw over the hardware RMP (hv/snp/rmp_hw.c), taken
 * where rmp_hw_lacks() is NULL, and cc_snp_model over the software model
 * (hv/snp/rmp_model.c) covering hv_pool, taken everywhere else.
 *
 * The RMP exists while an SNP VM does: the first SNP VM makes (model) or
 * finds (hardware) it, the last one's going destroys the model. A memory
 * of an SNP VM is that VM's alone (cc_ops.one_vm), and the VM outlives
 * its memories, so no page is assigned once the last SNP VM is gone.
 */
#ifndef GMV_HV_SNP_SNP_H
#define GMV_HV_SNP_SNP_H

#include "hv/cc.h"
#include "hv/snp/rmp.h"

extern const struct cc_ops cc_snp_hw;
extern const struct cc_ops cc_snp_model;

/* Where the model's guests find their C-bit (CPUID Fn8000_001F EBX[5:0],
 * the GHCB's SEV information): 47, as on first-generation EPYC parts. It
 * must be an address bit the CPU's guests can use (QEMU: phys-bits=48). */
#define SNP_MODEL_C_BIT 47

/* SNP ASIDs handed out: 1 .. SNP_MAX_ASID (ASID 0 is the hypervisor's). */
#define SNP_MAX_ASID 63

/* Whether the RMP models made from now on refuse host writes to assigned
 * pages (rmp.h, the host-write guard; on by default). A benchmark turns
 * it off to time the RMP's bookkeeping without the platform's page
 * protection, which on the host build is an mprotect() per change. */
void snp_model_guard_host(bool on);

/* The RMP the SNP VMs use now, NULL while there is none. */
struct rmp *snp_rmp(void);
/* The ASID of an SNP VM (0 for a VM of another model). */
u32 snp_vm_asid(const struct vm *vm);

#endif
