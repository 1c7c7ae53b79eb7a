// SPDX-License-Identifier: MIT
/*
 * hv/vcpu.c - native vCPUs (hv/vcpu.h): the per-VM SVM state behind the
 * VM's vm_mmu_ops, and the KVM_RUN loop that turns nested faults into
 * mappings or exits.
 */
#include "hv/vcpu.h"
#include "hv/deadline.h"
#include "hv/base/kmalloc.h"
#include "hv/svm/svm.h"
#include "hv/vm.h"
#include "lib/console.h"
#include "lib/errno.h"

/* The vCPU side of one VM: made with its first vCPU, freed with it. */
struct vcpu_vm {
	struct vm *vm;
	struct svm_vm svm;
	struct vcpu *vcpus[SVM_MAX_VCPUS];
	unsigned int nr_vcpus;
};

struct vcpu {
	struct vcpu_vm *owner;
	struct svm_vcpu *svm;
};

const char *vcpu_lacks(void)
{
	const char *why = svm_cpu_lacks();

	if (why)
		return why;
	/* Without it vcpu_run could not keep VMM_RUN_LIMIT_MS (hv/vmm.h). */
	return deadline_timer() ? NULL : "no deadline timer for the run "
					 "time limit";
}

static void mmu_zap(struct vm *vm, void *priv, u64 gfn_start, u64 gfn_end,
		    unsigned int filter)
{
	struct vcpu_vm *o = priv;

	svm_vm_zap(&o->svm, gfn_start << PAGE_SHIFT,
		   (gfn_end - gfn_start) << PAGE_SHIFT);
}

static void mmu_flush(struct vm *vm, void *priv)
{
	struct vcpu_vm *o = priv;

	svm_vm_flush(&o->svm);
}

static void mmu_release(struct vm *vm, void *priv)
{
	struct vcpu_vm *o = priv;

	for (unsigned int i = 0; i < o->nr_vcpus; i++)
		kfree(o->vcpus[i], sizeof(struct vcpu));
	svm_vm_destroy(&o->svm);
	kfree(o, sizeof(*o));
}

static const struct vm_mmu_ops vcpu_mmu_ops = {
	.zap = mmu_zap,
	.flush = mmu_flush,
	.release = mmu_release,
};

/* The VM's vCPU side, made on first use. */
static int owner_of(struct vm *vm, struct vcpu_vm **out)
{
	struct vcpu_vm *o = vm_mmu_priv(vm);
	int r;

	if (o) {
		*out = o;
		return 0;
	}
	o = kmalloc(sizeof(*o));
	if (!o)
		return -ENOMEM;
	r = svm_vm_init(&o->svm, vm_type(vm));
	if (r) {
		kfree(o, sizeof(*o));
		return r;
	}
	o->vm = vm;
	vm_set_mmu_ops(vm, &vcpu_mmu_ops, o);
	*out = o;
	return 0;
}

int vcpu_create(struct vm *vm, struct vcpu **out)
{
	struct vcpu_vm *o;
	struct vcpu *c;
	int r;

	if (vcpu_lacks())
		return -ENODEV;
	r = owner_of(vm, &o);
	if (r)
		return r;
	if (o->nr_vcpus == SVM_MAX_VCPUS)
		return -EINVAL;
	c = kmalloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	r = svm_vcpu_create(&o->svm, &c->svm);
	if (r) {
		kfree(c, sizeof(*c));
		return r;
	}
	c->owner = o;
	o->vcpus[o->nr_vcpus++] = c;
	vm_get(vm);
	*out = c;
	return 0;
}

void vcpu_put(struct vcpu *c)
{
	vm_put(c->owner->vm);
}

int vcpu_enter(struct vcpu *c, const struct vmm_entry *e)
{
	return svm_vcpu_enter(c->svm, e);
}

void vcpu_get_regs(const struct vcpu *c, struct vmm_regs *r)
{
	svm_vcpu_get_regs(c->svm, r);
}

void vcpu_set_regs(struct vcpu *c, const struct vmm_regs *r)
{
	svm_vcpu_set_regs(c->svm, r);
}

/*
 * A nested fault: ask the VM's fault path what backs the GPA and map the
 * largest block it allows (gmem's order, slot alignment and attribute
 * uniformity are in max_order). 0 when mapped; 1 with an exit for the
 * case (MMIO, or SHUTDOWN for a guest page table without memory);
 * else -errno with a memory-fault exit, also when the NPT could not take
 * the mapping (-ENOMEM for a table page), as vcpu_run() promises.
 */
static int resolve_npf(struct vcpu *c, const struct svm_npf *npf,
		       struct vmm_exit *exit)
{
	struct vm *vm = c->owner->vm;
	u64 gfn = npf->gpa >> PAGE_SHIFT;
	struct vm_fault f = { .gpa = npf->gpa };
	int r;

	if (npf->write)
		f.access |= VM_ACCESS_WRITE;
	if (vm_has_private_mem(vm) && vm_gfn_private(vm, gfn))
		f.access |= VM_ACCESS_PRIVATE;
	r = vm_fault(vm, &f);
	if (!r) {
		r = svm_vm_map(&c->owner->svm, npf->gpa, f.pa, f.max_order,
			       f.writable);
		if (!r)
			return 0;
	} else if (f.exit_reason == GMV_EXIT_MMIO) {
		svm_mmio_exit(c->svm, npf, exit);
		return 1;
	}
	exit->reason = GMV_EXIT_MEMORY_FAULT;
	exit->memory_fault.flags = (f.access & VM_ACCESS_PRIVATE) ?
					   GMV_MEMORY_EXIT_FLAG_PRIVATE :
					   0;
	exit->memory_fault.gpa = npf->gpa & PAGE_MASK;
	exit->memory_fault.size = PAGE_SIZE;
	return r;
}

int vcpu_run(struct vcpu *c, struct vmm_exit *exit)
{
	u64 deadline = deadline_after_ms(VMM_RUN_LIMIT_MS);
	struct svm_npf npf;
	int r;

	svm_complete_pending(c->svm, exit);
	for (;;) {
		r = svm_vcpu_run(c->svm, deadline, exit, &npf);
		if (r < 0)
			return r;
		if (r == SVM_TO_CASE)
			break;
		r = resolve_npf(c, &npf, exit);
		if (r < 0)
			return r;
		if (r == 1)
			break;
	}
	if (exit->reason == GMV_EXIT_SHUTDOWN ||
	    exit->reason == GMV_EXIT_INTERNAL_ERROR)
		svm_dump(c->svm, c->svm->why);
	return 0;
}

const struct npt *vcpu_vm_npt(const struct vm *vm)
{
	const struct vcpu_vm *o = vm_mmu_priv(vm);

	return o ? &o->svm.npt : NULL;
}
