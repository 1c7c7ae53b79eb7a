// SPDX-License-Identifier: MIT
/*
 * hv/cc.c - the choice of security model (hv/cc.h) and the two models
 * without hardware protection: "none" for default VMs and "sw_protected"
 * for KVM_X86_SW_PROTECTED_VM, whose private memory is only a label
 * (Documentation/virt/kvm/api.rst, KVM_CREATE_VM: "software-protected
 * VMs" exist to develop and test private memory without hardware). Their
 * memory hooks have nothing to do, so they are NULL and skipped.
 */
#include "hv/cc.h"
#include "hv/kvm_abi.h"
#include "hv/snp/snp.h"
#include "hv/tdx/tdx.h"
#include "hv/x86/cpu.h"
#include "lib/errno.h"
#include "lib/fmt.h"

const struct cc_ops cc_none = {
	.name = "none",
	.vm_type = GMV_VM_DEFAULT,
	.private_source = CC_PRIVATE_NEVER,
};

const struct cc_ops cc_sw_protected = {
	.name = "sw_protected",
	.vm_type = GMV_VM_SW_PROTECTED,
	.private_source = CC_PRIVATE_ATTRIBUTE,
};

/* Every model, one registration line each; for a type with a hardware
 * implementation and a software model, the hardware one comes first and
 * is taken where its lacks() is NULL. */
static const struct cc_ops *const cc_models[] = {
	&cc_none,
	&cc_sw_protected,
	&cc_snp_hw,
	&cc_snp_model,
	&cc_tdx_hw,
	&cc_tdx_model,
};

static const struct cc_ops *cc_override;

const struct cc_ops *cc_use(const struct cc_ops *ops)
{
	const struct cc_ops *old = cc_override;

	cc_override = ops;
	return old;
}

/*
 * A model that keeps an alias bit in the guest-physical address needs
 * bit + 1 guest physical address bits (cpu_guest_phys_bits()); QEMU's
 * default is 40.
 */
const char *cc_alias_bit_lacks(unsigned int bit, const char *name)
{
	static char why[112];
	unsigned int bits = cpu_guest_phys_bits();

	if (bits > bit)
		return NULL;
	gmv_snprintf(why, sizeof(why),
		     "guest physical addresses have %u bits: the %s %u needs "
		     "%u (QEMU: -cpu max,phys-bits=48)",
		     bits, name, bit, bit + 1);
	return why;
}

const struct cc_ops *cc_for_type(unsigned long type)
{
	if (cc_override && cc_override->vm_type == type)
		return cc_override;
	for (size_t i = 0; i < ARRAY_SIZE(cc_models); i++) {
		const struct cc_ops *m = cc_models[i];

		if (m->vm_type == type && (!m->lacks || !m->lacks()))
			return m;
	}
	return NULL;
}

u64 cc_supported_types(void)
{
	u64 types = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cc_models); i++)
		if (cc_models[i]->vm_type < 64 &&
		    (!cc_models[i]->lacks || !cc_models[i]->lacks()))
			types |= BIT(cc_models[i]->vm_type);
	return types;
}

static int check_held_of(const struct cc_ops *m,
			 const struct cc_ops *const *models, const u64 *held,
			 unsigned int n)
{
	u64 h = 0;

	for (unsigned int i = 0; i < n; i++)
		if (models[i] == m)
			h += held[i];
	return m->check_held(h);
}

int cc_check_held(const struct cc_ops *const *models, const u64 *held,
		  unsigned int n)
{
	/* Only the model chosen for its type now: SNP's hardware and
	 * software registrations share one RMP. */
	for (size_t i = 0; i < ARRAY_SIZE(cc_models); i++) {
		const struct cc_ops *m = cc_models[i];

		if (m->check_held && cc_for_type(m->vm_type) == m &&
		    check_held_of(m, models, held, n))
			return -EIO;
	}
	return 0;
}
