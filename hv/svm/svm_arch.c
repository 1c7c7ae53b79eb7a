// SPDX-License-Identifier: MIT
/*
 * hv/svm/svm_arch.c - SVM as a vCPU backend: struct arch_ops svm_arch_ops
 * (hv/arch.h) over the SVM objects of hv/svm/svm.h.
 */
#include "hv/svm/svm.h"
#include "hv/arch_npt.h"
#include "hv/base/kmalloc.h"
#include "lib/errno.h"

static struct svm_vm *svm_of(struct arch_vm *vm)
{
	return (struct svm_vm *)vm;
}

static struct svm_vcpu *vcpu_of(struct arch_vcpu *c)
{
	return (struct svm_vcpu *)c;
}

static const struct svm_vcpu *cvcpu_of(const struct arch_vcpu *c)
{
	return (const struct svm_vcpu *)c;
}

static int svm_arch_vm_init(unsigned long type, struct arch_vm **out)
{
	struct svm_vm *s = kmalloc(sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	ret = svm_vm_init(s, type);
	if (ret) {
		kfree(s, sizeof(*s));
		return ret;
	}
	*out = (struct arch_vm *)s;
	return 0;
}

static void svm_arch_vm_destroy(struct arch_vm *vm)
{
	svm_vm_destroy(svm_of(vm));
	kfree(vm, sizeof(struct svm_vm));
}

static int svm_arch_map(struct arch_vm *vm, u64 gpa, phys_addr_t hpa,
			unsigned int order, bool writable, bool private)
{
	/* One NPT holds private and shared translations alike. */
	return svm_vm_map(svm_of(vm), gpa, hpa, order, writable);
}

static void svm_arch_zap(struct arch_vm *vm, u64 gpa, u64 size,
			 unsigned int filter)
{
	/* One NPT: whatever the filter, everything in the range goes. */
	svm_vm_zap(svm_of(vm), gpa, size);
}

static void svm_arch_flush(struct arch_vm *vm)
{
	svm_vm_flush(svm_of(vm));
}

static int svm_arch_lookup(const struct arch_vm *vm, u64 gpa,
			   struct arch_xlate *x)
{
	return arch_npt_lookup(&((const struct svm_vm *)vm)->npt, gpa, x);
}

static int svm_arch_vcpu_create(struct arch_vm *vm, struct arch_vcpu **out)
{
	struct svm_vcpu *v;
	int ret = svm_vcpu_create(svm_of(vm), &v);

	if (!ret)
		*out = (struct arch_vcpu *)v;
	return ret;
}

static int svm_arch_vcpu_enter(struct arch_vcpu *c, const struct vmm_entry *e)
{
	return svm_vcpu_enter(vcpu_of(c), e);
}

static u64 svm_arch_get_reg(const struct arch_vcpu *c, enum arch_reg r)
{
	return svm_vcpu_get_reg(cvcpu_of(c), r);
}

static void svm_arch_set_reg(struct arch_vcpu *c, enum arch_reg r, u64 val)
{
	svm_vcpu_set_reg(vcpu_of(c), r, val);
}

static void svm_arch_complete(struct arch_vcpu *c, u64 next_rip)
{
	svm_vcpu_complete(vcpu_of(c), next_rip);
}

static int svm_arch_run(struct arch_vcpu *c, struct arch_exit *x)
{
	return svm_vcpu_run(vcpu_of(c), x);
}

static void svm_arch_dump(const struct arch_vcpu *c, const char *why)
{
	svm_dump(cvcpu_of(c), why);
}

const struct arch_ops svm_arch_ops = {
	.name = "svm",
	.lacks = svm_cpu_lacks,
	.vm_init = svm_arch_vm_init,
	.vm_destroy = svm_arch_vm_destroy,
	.map = svm_arch_map,
	.zap = svm_arch_zap,
	.flush = svm_arch_flush,
	.lookup = svm_arch_lookup,
	.vcpu_create = svm_arch_vcpu_create,
	.vcpu_enter = svm_arch_vcpu_enter,
	.get_reg = svm_arch_get_reg,
	.set_reg = svm_arch_set_reg,
	.complete = svm_arch_complete,
	.run = svm_arch_run,
	.dump = svm_arch_dump,
};
