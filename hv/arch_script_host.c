// SPDX-License-Identifier: MIT
/*
 * hv/arch_script_host.c - the scripted backend of the host unit tests
 * (hv/arch_script.h). The Makefile builds it for the host only.
 */
#include "hv/arch_script.h"
#include "hv/alloc.h"
#include "hv/arch_npt.h"
#include "hv/base/kmalloc.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/mem.h"

struct script_vcpu;

struct script_vm {
	struct npt npt;
	struct script_vcpu *vcpus[ARCH_MAX_VCPUS];
	unsigned int nr_vcpus;
	struct arch_script_stats stats;
};

struct script_vcpu {
	struct script_vm *vm;
	unsigned int index;
	u64 regs[ARCH_NR_REGS];
	bool entered;
	bool flush_pending;
	struct arch_script_stats stats;
};

static arch_script_fn script_fn;
static void *script_ctx;
static u64 script_dumps;

void arch_script_set(arch_script_fn fn, void *ctx)
{
	script_fn = fn;
	script_ctx = ctx;
}

static struct script_vm *vm_of(struct arch_vm *vm)
{
	return (struct script_vm *)vm;
}

static const struct script_vm *cvm_of(const struct arch_vm *vm)
{
	return (const struct script_vm *)vm;
}

static struct script_vcpu *vcpu_of(struct arch_vcpu *c)
{
	return (struct script_vcpu *)c;
}

static const struct script_vcpu *cvcpu_of(const struct arch_vcpu *c)
{
	return (const struct script_vcpu *)c;
}

const struct npt *arch_script_npt(const struct arch_vm *vm)
{
	return &cvm_of(vm)->npt;
}

const struct arch_script_stats *arch_script_vm_stats(const struct arch_vm *vm)
{
	return &cvm_of(vm)->stats;
}

const struct arch_script_stats *
arch_script_vcpu_stats(const struct arch_vcpu *c)
{
	return &cvcpu_of(c)->stats;
}

static const char *script_lacks(void)
{
	return NULL;
}

/* The table dropped translations: every vCPU flushes before it enters. */
static void script_npt_flush(struct npt *npt)
{
	struct script_vm *s = npt->ctx;

	for (unsigned int i = 0; i < s->nr_vcpus; i++)
		s->vcpus[i]->flush_pending = true;
}

static const struct npt_ops script_npt_ops = {
	.flush = script_npt_flush,
};

static int script_vm_init(unsigned long type, struct arch_vm **out)
{
	struct script_vm *s = kmalloc(sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	ret = npt_init(&s->npt, &npt_format_amd, hv_pool, &script_npt_ops, s);
	if (ret) {
		kfree(s, sizeof(*s));
		return ret;
	}
	npt_set_audit(&s->npt, true);
	*out = (struct arch_vm *)s;
	return 0;
}

static void script_vm_destroy(struct arch_vm *vm)
{
	struct script_vm *s = vm_of(vm);

	for (unsigned int i = 0; i < s->nr_vcpus; i++)
		kfree(s->vcpus[i], sizeof(struct script_vcpu));
	npt_destroy(&s->npt);
	kfree(s, sizeof(*s));
}

static int script_map(struct arch_vm *vm, u64 gpa, phys_addr_t hpa,
		      unsigned int order, bool writable, bool private)
{
	return arch_npt_map(&vm_of(vm)->npt, gpa, hpa, order, writable);
}

static void script_zap(struct arch_vm *vm, u64 gpa, u64 size,
		       unsigned int filter)
{
	struct script_vm *s = vm_of(vm);

	s->stats.zaps++;
	s->stats.last_filter = filter;
	/* One table, like SVM's: the filter drops nothing less. */
	arch_npt_zap(&s->npt, gpa, size);
}

static void script_flush(struct arch_vm *vm)
{
	npt_flush(&vm_of(vm)->npt);
}

static int script_lookup(const struct arch_vm *vm, u64 gpa,
			 struct arch_xlate *x)
{
	return arch_npt_lookup(&cvm_of(vm)->npt, gpa, x);
}

static int script_vcpu_create(struct arch_vm *vm, struct arch_vcpu **out)
{
	struct script_vm *s = vm_of(vm);
	struct script_vcpu *c;

	c = kmalloc(sizeof(*c)); /* vcpu_create() keeps to ARCH_MAX_VCPUS */
	if (!c)
		return -ENOMEM;
	c->vm = s;
	c->index = s->nr_vcpus;
	s->vcpus[s->nr_vcpus++] = c;
	*out = (struct arch_vcpu *)c;
	return 0;
}

static int script_vcpu_enter(struct arch_vcpu *ac, const struct vmm_entry *e)
{
	struct script_vcpu *c = vcpu_of(ac);

	memset(c->regs, 0, sizeof(c->regs));
	c->regs[ARCH_REG_RIP] = e->rip;
	c->regs[ARCH_REG_RSP] = e->rsp;
	c->regs[ARCH_REG_CR3] = e->cr3;
	c->regs[ARCH_REG_RDI] = e->arg0;
	c->regs[ARCH_REG_RSI] = e->arg1;
	c->regs[ARCH_REG_RFLAGS] = 0x3002; /* IOPL 3, reserved bit 1 */
	c->entered = true;
	return 0;
}

static u64 script_get_reg(const struct arch_vcpu *c, enum arch_reg r)
{
	return cvcpu_of(c)->regs[r];
}

static void script_set_reg(struct arch_vcpu *c, enum arch_reg r, u64 val)
{
	vcpu_of(c)->regs[r] = val;
}

static void script_complete(struct arch_vcpu *c, u64 next_rip)
{
	vcpu_of(c)->regs[ARCH_REG_RIP] = next_rip;
}

static void script_inject(struct arch_vcpu *c, u8 vector, u32 error_code)
{
	struct arch_script_stats *st = &vcpu_of(c)->stats;

	st->injects++;
	st->last_vector = vector;
	st->last_error_code = error_code;
}

/* An entry: the flush audit and the flush owed, as SVM's, then the
 * script's exit. */
static int script_run(struct arch_vcpu *ac, struct arch_exit *x)
{
	struct script_vcpu *c = vcpu_of(ac);

	if (!c->entered)
		return -EINVAL;
	if (npt_vmentry_check(&c->vm->npt))
		return -EIO;
	if (c->flush_pending) {
		c->flush_pending = false;
		c->stats.flushes++;
	}
	if (!script_fn)
		return -EIO;
	c->stats.runs++;
	memset(x, 0, sizeof(*x));
	x->rip = c->regs[ARCH_REG_RIP];
	return script_fn(script_ctx, ac, x);
}

static void script_dump(const struct arch_vcpu *ac, const char *why)
{
	const struct script_vcpu *c = cvcpu_of(ac);

	script_dumps++;
	kprintf("# script: vCPU %u: %s (rip %#llx)\n", c->index, why,
		(unsigned long long)c->regs[ARCH_REG_RIP]);
}

const struct arch_ops arch_script_ops = {
	.name = "script",
	.lacks = script_lacks,
	.vm_init = script_vm_init,
	.vm_destroy = script_vm_destroy,
	.map = script_map,
	.zap = script_zap,
	.flush = script_flush,
	.lookup = script_lookup,
	.vcpu_create = script_vcpu_create,
	.vcpu_enter = script_vcpu_enter,
	.get_reg = script_get_reg,
	.set_reg = script_set_reg,
	.complete = script_complete,
	.inject = script_inject,
	.run = script_run,
	.dump = script_dump,
};

u64 arch_script_dumps(void)
{
	return script_dumps;
}
