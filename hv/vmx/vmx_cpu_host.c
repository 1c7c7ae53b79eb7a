// SPDX-License-Identifier: MIT
/*
 * hv/vmx/vmx_cpu_host.c - the host build's half of hv/vmx/vmx_cpu.h: a
 * Linux process has no VMX, so the probe says so and nothing else is
 * reached. The Makefile picks this file for host builds, vmx_cpu_hw.c for
 * the payload.
 */
#include "hv/vmx/vmx_cpu.h"
#include "lib/console.h"
#include "lib/errno.h"

const char *vmx_cpu_lacks(void)
{
	return "no VMX: host build";
}

const struct vmx_config *vmx_cpu_config(void)
{
	return NULL;
}

const struct vmx_caps *vmx_cpu_caps(void)
{
	return NULL;
}

int vmx_cpu_enable(void)
{
	return -ENODEV;
}

/* No VMCS was ever current here. */
void vmx_cpu_vmcs_release(u8 *vmcs)
{
}

/* Never reached: no vCPU runs without vmx_cpu_enable() succeeding. */
void vmx_cpu_enter(struct vmx_vcpu *v, const struct vmx_flush *f)
{
	panic("vmx_cpu_enter in the host build");
}

/* Never reached: no VMCS was ever entered here. */
u64 vmx_cpu_vmcs_read(const struct vmx_vcpu *v, u32 field)
{
	panic("vmx_cpu_vmcs_read in the host build");
}
