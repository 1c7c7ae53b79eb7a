/* SPDX-License-Identifier: MIT */
/*
 * hv/tdx/tdx.h - Intel TDX as a security model (hv/cc.h): the cc_ops of
 * VM type GMV_VM_TDX (hv/tdx/tdx_cc.c), which drive the TDX module
 * (hv/tdx/tdx_module.h) the way Linux's arch/x86/kvm/vmx/tdx.c does.
 * Two registrations, as for SNP: the hardware module where
 * tdx_hw_lacks() is NULL (never yet), else the software model over
 * hv_pool.
 *
 * The model exists while a TDX VM does: the first TDX VM makes it, the
 * last one's going destroys it. A memory of a TDX VM is that VM's alone
 * (cc_ops.one_vm: its pages belong to the TD), and the VM outlives its
 * memories.
 */
#ifndef GMV_HV_TDX_TDX_H
#define GMV_HV_TDX_TDX_H

#include "hv/cc.h"
#include "hv/tdx/tdx_module.h"

extern const struct cc_ops cc_tdx_hw;
extern const struct cc_ops cc_tdx_model;

/* TD handles (the model's TDR, standing for the HKID too) handed out:
 * 1 .. TDX_MAX_HKID. */
#define TDX_MAX_HKID 63

/* Every TD gets ARCH_MAX_VCPUS vCPUs at creation (the most a VM here can
 * add), all of which TLB tracking waits for. */
#define TDX_CC_VCPUS ARCH_MAX_VCPUS

/* The model the TDX VMs use now, NULL while there is none. */
struct tdx_model *tdx_cc_model(void);
/* The model's address (its PAMT's [0, size)) of a host page of hv_pool. */
u64 tdx_cc_hpa(phys_addr_t pa);
/* The TD of a TDX VM (0 for a VM of another model). */
u64 tdx_vm_td(const struct vm *vm);

#endif
