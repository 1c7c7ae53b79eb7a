// SPDX-License-Identifier: MIT
/*
 * hv/vcpu.c - native vCPUs (hv/vcpu.h): the objects, their registers, and
 * the KVM_RUN loop around the VM's backend. What each exit means is
 * hv/vcpu_exit.c's.
 */
#include "hv/vcpu_int.h"
#include "hv/base/kmalloc.h"
#include "hv/cc.h"
#include "hv/deadline.h"
#include "hv/vm.h"
#include "lib/errno.h"
#include "lib/mem.h"

const char *vcpu_lacks(void)
{
	const char *why = arch_lacks();

	if (why)
		return why;
	/* Without it vcpu_run could not keep VMM_RUN_LIMIT_MS (hv/vmm.h). */
	return deadline_timer() ? NULL
				: "no deadline timer for the run time limit";
}

static bool on_bochs;

void vcpu_set_bochs(bool bochs)
{
	on_bochs = bochs;
}

const char *vcpu_intr_if_clear_lacks(void)
{
	const struct arch_ops *ops = arch_select();
	const char *why = vcpu_lacks();

	if (why)
		return why;
	if (on_bochs && ops && !strcmp(ops->name, "svm"))
		return "Bochs SVM defect: no INTR exit from a guest entered "
		       "with IF clear (VMRUN masks INTR by the guest's IF; "
		       "APM 15.21.1: the host's)";
	return NULL;
}

int vcpu_create(struct vm *vm, struct vcpu **out)
{
	const struct arch_ops *ops = vm_arch(vm);
	struct vcpu *c;
	int r;

	if (!ops || vcpu_lacks())
		return -ENODEV;
	if (vm_nr_vcpus(vm) == ARCH_MAX_VCPUS)
		return -EINVAL;
	/* The first vCPU ends the VM's launch (hv/cc.h launch_finish). */
	if (!vm_nr_vcpus(vm) && vm_cc(vm)->launch_finish) {
		r = vm_cc(vm)->launch_finish(vm);
		if (r)
			return r;
	}
	c = kmalloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	r = ops->vcpu_create(vm_arch_vm(vm), &c->arch);
	if (r) {
		kfree(c, sizeof(*c));
		return r;
	}
	c->vm = vm;
	c->ops = ops;
	c->avm = vm_arch_vm(vm);
	c->index = vm_add_vcpu(vm, c);
	vm_get(vm);
	*out = c;
	return 0;
}

void vcpu_put(struct vcpu *c)
{
	vm_put(c->vm);
}

void vcpu_free(struct vcpu *c)
{
	kfree(c, sizeof(*c));
}

int vcpu_enter(struct vcpu *c, const struct vmm_entry *e)
{
	vcpu_exit_reset(c);
	return c->ops->vcpu_enter(c->arch, e);
}

/* Where each of the backend's registers is in struct vmm_regs (all but
 * CR3, which the case does not see). */
#define OFF(name) __builtin_offsetof(struct vmm_regs, name)
static const u8 vmm_regs_off[ARCH_REG_RFLAGS + 1] = {
	[ARCH_REG_RAX] = OFF(rax), [ARCH_REG_RCX] = OFF(rcx),
	[ARCH_REG_RDX] = OFF(rdx), [ARCH_REG_RBX] = OFF(rbx),
	[ARCH_REG_RSP] = OFF(rsp), [ARCH_REG_RBP] = OFF(rbp),
	[ARCH_REG_RSI] = OFF(rsi), [ARCH_REG_RDI] = OFF(rdi),
	[ARCH_REG_R8] = OFF(r8),   [ARCH_REG_R9] = OFF(r9),
	[ARCH_REG_R10] = OFF(r10), [ARCH_REG_R11] = OFF(r11),
	[ARCH_REG_R12] = OFF(r12), [ARCH_REG_R13] = OFF(r13),
	[ARCH_REG_R14] = OFF(r14), [ARCH_REG_R15] = OFF(r15),
	[ARCH_REG_RIP] = OFF(rip), [ARCH_REG_RFLAGS] = OFF(rflags),
};
#undef OFF

_Static_assert(ARRAY_SIZE(vmm_regs_off) * sizeof(u64) ==
		       sizeof(struct vmm_regs),
	       "every register of struct vmm_regs");

u64 *vcpu_regs_field(struct vmm_regs *r, enum arch_reg reg)
{
	return (u64 *)((u8 *)r + vmm_regs_off[reg]);
}

void vcpu_get_regs(const struct vcpu *c, struct vmm_regs *r)
{
	for (int i = 0; i < (int)ARRAY_SIZE(vmm_regs_off); i++)
		*vcpu_regs_field(r, i) = c->ops->get_reg(c->arch, i);
}

void vcpu_set_regs(struct vcpu *c, const struct vmm_regs *r)
{
	for (int i = 0; i < (int)ARRAY_SIZE(vmm_regs_off); i++)
		c->ops->set_reg(
			c->arch, i,
			*(const u64 *)((const u8 *)r + vmm_regs_off[i]));
}

/*
 * The run time limit works the way KVM's SVM code does (hv/deadline.h):
 * the deadline timer is armed once per run, host interrupts end the
 * guest's run, and every exit resumed here checks the deadline and arms
 * the timer again if it fired (vcpu_exit.c).
 */
int vcpu_run(struct vcpu *c, struct vmm_exit *exit)
{
	struct arch_exit x;
	int r;

	c->deadline = deadline_after_ms(VMM_RUN_LIMIT_MS);
	r = vcpu_complete(c, exit);
	if (r == VCPU_TO_CASE)
		return 0;
	if (r) {
		/* The model could not complete the exit (guest memory gone
		 * under its GHCB, say): the guest cannot go on. */
		memset(exit, 0, sizeof(*exit));
		exit->reason = GMV_EXIT_INTERNAL_ERROR;
		exit->other.rip = c->ops->get_reg(c->arch, ARCH_REG_RIP);
		c->ops->dump(c->arch, c->why);
		return 0;
	}
	deadline_arm(c->deadline);
	do {
		r = c->ops->run(c->arch, &x);
		if (r)
			return r;
		r = vcpu_handle_exit(c, &x, exit);
	} while (r == VCPU_RESUME);
	if (r < 0)
		return r;
	if (exit->reason == GMV_EXIT_SHUTDOWN ||
	    exit->reason == GMV_EXIT_INTERNAL_ERROR)
		c->ops->dump(c->arch, c->why);
	return 0;
}
