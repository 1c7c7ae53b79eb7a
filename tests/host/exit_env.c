// SPDX-License-Identifier: MIT
/*
 * tests/host/exit_env.c - the scripted guest of tests/host/exit_env.h.
 */
#include "tests/host/exit_env.h"
#include "hv/cc.h"
#include "hv/kvm_abi.h"
#include "hv/vcpu.h"
#include "hv/vm.h"
#include "hv/x86/vectors.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define PML4_GPA 0x1000ULL
#define PDPT_GPA 0x2000ULL
#define PD_SHARED_GPA 0x3000ULL
#define PD_PRIVATE_GPA 0x4000ULL
#define PTE_TABLE 7ULL /* present, writable, user */
#define PTE_2M (PTE_TABLE | 0x80)

static void no_arm(u64 deadline)
{
	(void)deadline;
}

static void no_disarm(void)
{
}

static int next_exit(void *ctx, struct arch_vcpu *c, struct arch_exit *x)
{
	struct env *e = ctx;
	const struct step *s;

	e->c = c;
	if (e->next == e->n)
		return -ERANGE; /* the script ran out */
	s = &e->steps[e->next++ % ENV_STEPS];
	for (int r = 0; r < ARCH_NR_REGS; r++)
		if (s->set & BIT(r))
			arch_script_ops.set_reg(c, r, s->regs[r]);
	*x = s->x;
	if (!x->rip)
		x->rip = arch_script_ops.get_reg(c, ARCH_REG_RIP);
	return 0;
}

struct step *env_push(struct env *e, struct arch_exit x)
{
	struct step *s = &e->steps[e->n++ % ENV_STEPS];

	memset(s, 0, sizeof(*s));
	s->x = x;
	return s;
}

void env_set(struct step *s, enum arch_reg r, u64 val)
{
	s->regs[r] = val;
	s->set |= BIT(r);
}

struct step *env_at(struct env *e, struct arch_exit x, u64 off)
{
	struct step *s = env_push(e, x);

	env_set(s, ARCH_REG_RIP, ENV_CODE_GPA + off);
	return s;
}

struct arch_exit env_fault(u64 gpa, bool write)
{
	return (struct arch_exit){.kind = ARCH_EXIT_FAULT,
				  .code = 0x400,
				  .info2 = gpa,
				  .fault = {.gpa = gpa, .write = write}};
}

struct arch_exit env_ud(void)
{
	return (struct arch_exit){.kind = ARCH_EXIT_EXCEPTION,
				  .code = 0x46,
				  .vector = X86_VEC_UD,
				  .name = "EXCP_UD"};
}

int env_region(struct env *e, u32 slot, u32 flags, u64 gpa, int gmem)
{
	struct vmm_region r = {.slot = slot,
			       .flags = flags,
			       .guest_phys_addr = gpa,
			       .memory_size = SZ_2M,
			       .guest_memfd = gmem};

	return e->v.ops->set_region(&e->v, e->vm, &r);
}

/* The alias bit of a shared or private GPA in the guest's tables. */
static u64 alias(struct env *e, bool private)
{
	return cc_alias_of(vm_cc(e->obj), private);
}

int env_touch(struct env *e, u64 gpa)
{
	struct vm_fault f = {.gpa = gpa};
	int r = vm_fault(e->obj, &f);

	return r ? r
		 : arch_script_ops.map(vm_arch_vm(e->obj),
				       gpa | alias(e, false), f.pa, 0,
				       f.writable, false);
}

int env_wr64(struct env *e, u64 gpa, u64 val)
{
	return e->v.ops->guest_write(&e->v, e->vm, gpa, &val, 8);
}

u64 env_rd64(struct env *e, u64 gpa)
{
	u64 v = ~0ULL;

	e->v.ops->guest_read(&e->v, e->vm, gpa, &v, 8);
	return v;
}

int env_set_private(struct env *e, u64 gpa, u64 len, bool private)
{
	return e->v.ops->set_attributes(
		&e->v, e->vm, gpa, len,
		private ? GMV_MEMORY_ATTRIBUTE_PRIVATE : 0, 0);
}

bool env_add_vcpu(struct kt *t, struct env *e)
{
	struct vmm_entry entry = {.rip = ENV_CODE_GPA,
				  .rsp = ENV_STACK_TOP,
				  .cr3 = PML4_GPA | alias(e, false)};

	e->vcpu = e->v.ops->create_vcpu(&e->v, e->vm);
	return KT_EXPECT_GE(t, e->vcpu, 0) &&
	       KT_EXPECT_OK(t, e->v.ops->vcpu_enter(&e->v, e->vcpu, &entry));
}

/* The tables of the layout in exit_env.h, mapped with the code. */
static bool tables(struct kt *t, struct env *e)
{
	u64 sh = alias(e, false), pr = alias(e, true);
	int r = 0;

	r |= env_wr64(e, PML4_GPA, PDPT_GPA | sh | PTE_TABLE);
	r |= env_wr64(e, PDPT_GPA, PD_SHARED_GPA | sh | PTE_TABLE);
	r |= env_wr64(e, PDPT_GPA + 8, PD_PRIVATE_GPA | sh | PTE_TABLE);
	for (u64 i = 0; i < 512; i++) {
		r |= env_wr64(e, PD_SHARED_GPA + 8 * i,
			      (i << 21) | sh | PTE_2M);
		r |= env_wr64(e, PD_PRIVATE_GPA + 8 * i,
			      (i << 21) | pr | PTE_2M);
	}
	if (!KT_EXPECT_OK(t, r))
		return false;
	for (u64 gpa = PML4_GPA; gpa <= PD_PRIVATE_GPA; gpa += PAGE_SIZE)
		if (!KT_EXPECT_OK(t, env_touch(e, gpa)))
			return false;
	return KT_EXPECT_OK(t, env_touch(e, ENV_CODE_GPA));
}

bool env_open(struct kt *t, struct env *e, const struct env_model *m, bool vcpu)
{
	const struct deadline_timer *tm = deadline_timer();
	struct deadline_timer far = {.name = "fake",
				     .tsc_per_ms = 1ULL << 40,
				     .arm = no_arm,
				     .disarm = no_disarm};
	const struct vmm_ops *o;

	memset(e, 0, sizeof(*e));
	e->model = m;
	e->vcpu = -1;
	e->had_timer = tm;
	if (tm)
		e->saved_timer = *tm;
	deadline_timer_register(&far);
	e->saved_arch = arch_use(&arch_script_ops);
	arch_script_set(next_exit, e);
	e->v = (struct vmm)VMM_NATIVE_INIT(e->st);
	o = e->v.ops;
	e->vm = o->create_vm(&e->v, m->type);
	if (!KT_EXPECT_GE(t, e->vm, 0) ||
	    !KT_EXPECT_OK(t, env_region(e, 0, 0, 0, -1)))
		return false;
	e->obj = vmm_native_vm(&e->v, e->vm);
	if (!KT_EXPECT_STR_EQ(t, vm_cc(e->obj)->name, m->name) ||
	    !KT_EXPECT_OK(t, o->guest_write(&e->v, e->vm, ENV_CODE_GPA, m->code,
					    m->len)) ||
	    !tables(t, e))
		return false;
	e->gmem = o->create_gmem(&e->v, e->vm, SZ_2M, 0);
	if (!KT_EXPECT_GE(t, e->gmem, 0) ||
	    !KT_EXPECT_OK(t, env_region(e, 1, GMV_MEM_GUEST_MEMFD, ENV_GMEM_GPA,
					e->gmem)) ||
	    !KT_EXPECT_OK(t, env_region(e, 2, 0, ENV_PLAIN_GPA, -1)))
		return false;
	return !vcpu || env_add_vcpu(t, e);
}

void env_close(struct kt *t, struct env *e)
{
	e->v.ops->reset(&e->v);
	KT_EXPECT_OK(t, e->v.ops->check(&e->v));
	KT_EXPECT_EQ(t, vm_nr_live(), 0);
	KT_EXPECT(t, e->model->gone());
	arch_script_set(NULL, NULL);
	arch_use(e->saved_arch);
	deadline_timer_register(e->had_timer ? &e->saved_timer : NULL);
}

int env_run(struct env *e)
{
	return e->v.ops->vcpu_run(&e->v, e->vcpu, &e->x);
}

u64 env_get(struct env *e, enum arch_reg r)
{
	struct vmm_regs regs;

	e->v.ops->vcpu_get_regs(&e->v, e->vcpu, &regs);
	return *vcpu_regs_field(&regs, r);
}

void env_put(struct env *e, enum arch_reg r, u64 val)
{
	struct vmm_regs regs;

	e->v.ops->vcpu_get_regs(&e->v, e->vcpu, &regs);
	*vcpu_regs_field(&regs, r) = val;
	e->v.ops->vcpu_set_regs(&e->v, e->vcpu, &regs);
}

bool env_run_to_hlt(struct kt *t, struct env *e, u64 rip)
{
	env_push(e, (struct arch_exit){.kind = ARCH_EXIT_HLT, .code = 0x78});
	return KT_EXPECT_OK(t, env_run(e)) &&
	       KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HLT) &&
	       KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RIP), rip + 1);
}

const struct arch_script_stats *env_stats(struct env *e)
{
	return arch_script_vcpu_stats(e->c);
}

int env_npt_at(struct env *e, u64 gpa, struct arch_xlate *x)
{
	return arch_script_ops.lookup(vm_arch_vm(e->obj), gpa, x);
}

phys_addr_t env_private_pa(struct env *e, u64 gpa)
{
	struct vm_fault f = {.gpa = gpa,
			     .access = VM_ACCESS_PRIVATE | VM_ACCESS_HOST};

	return vm_fault(e->obj, &f) ? 0 : f.pa;
}

static void direct_inject(struct cc_guest_req *req, u8 vector, u32 error_code)
{
	struct env *e = req->svc_ctx;

	e->direct.injects++;
	e->direct.vector = vector;
	e->direct.error_code = error_code;
}

static const struct cc_guest_svc direct_svc = {.inject = direct_inject};

int env_access_at(struct env *e, u64 gpa, phys_addr_t pa, unsigned int *order)
{
	struct cc_guest_req req = {.kind = CC_GUEST_INSN,
				   .vm = e->obj,
				   .svc = &direct_svc,
				   .svc_ctx = e};

	return vm_cc(e->obj)->access(&req, gpa, pa, false, order);
}

int env_access(struct env *e, u64 gpa, unsigned int *order)
{
	return env_access_at(e, gpa, env_private_pa(e, gpa), order);
}
