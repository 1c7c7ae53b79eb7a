/* SPDX-License-Identifier: MIT */
/*
 * hv/vmx/vmx_cpu.h - the physical CPU side of VMX: whether this CPU runs
 * VMX guests with EPT (vendor, CPUID, IA32_FEATURE_CONTROL, the controls
 * vmx_config_derive() takes from its capability MSRs), VMXON, and one
 * entry through the current VMCS (hv/vmx/vmx_vmenter.asm). Owns the VMXON
 * region and which VMCS is current. The payload runs the hypervisor on
 * one CPU.
 *
 * In the host build (a Linux process) there is no VMX: vmx_cpu_lacks()
 * says so and vCPUs are refused before any of the rest is reached.
 */
#ifndef GMV_HV_VMX_VMX_CPU_H
#define GMV_HV_VMX_VMX_CPU_H

#include "hv/vmx/vmx.h"

/* NULL when this CPU runs VMX guests with EPT, else why not. */
const char *vmx_cpu_lacks(void);
/* The controls derived for this CPU; only once vmx_cpu_lacks() is NULL. */
const struct vmx_config *vmx_cpu_config(void);
/* The capability MSRs read by the probe (for diagnostics); only once
 * vmx_cpu_lacks() is NULL. */
const struct vmx_caps *vmx_cpu_caps(void);
/* CR4.VMXE, the fixed CR0/CR4 bits and VMXON (once; later calls return
 * at once). 0, or -ENODEV when vmx_cpu_lacks() names a reason. */
int vmx_cpu_enable(void);
/* The VMCS region at vmcs goes away: VMCLEAR it if it was used, so that
 * the CPU writes nothing there any more. */
void vmx_cpu_vmcs_release(u8 *vmcs);
/*
 * Make v's VMCS current (VMCLEAR before its first use, then VMPTRLD),
 * write what it needs (controls and host state once, the guest state
 * after vmx_vcpu_enter(), RIP/RSP/RFLAGS/CR3, interruptibility and an
 * injected event every time), do the invalidations f owes, enter, and
 * copy the exit fields and the guest state back into v. A host interrupt
 * that ended the run is taken before this returns, an NMI through the
 * host's vector 2.
 */
void vmx_cpu_enter(struct vmx_vcpu *v, const struct vmx_flush *f);
/* VMREAD field of v's VMCS, which has been entered (the payload's tests
 * check what the CPU holds). */
u64 vmx_cpu_vmcs_read(const struct vmx_vcpu *v, u32 field);

#endif
