// SPDX-License-Identifier: MIT
/*
 * tests/host/tdx_exit_test.c - a TDX VM's nested faults through the exit
 * policy (hv/vcpu_exit.c) on the scripted backend (hv/arch_script.h): the
 * shared bit (hv/cc.h alias_bit with alias_shared; GPA bit 47, GPAW 48)
 * makes an access shared and its page is mapped at the alias, a private
 * access (bit clear) is prepared by TDX's cc_ops (AUG) and mapped at its
 * GPA, and zaps drop the alias with the shared translations; the launch
 * ends at the first vCPU. No TD guest runs: the exits are scripted. Host
 * only: the scripted backend is.
 */
#include "hv/alloc.h"
#include "hv/arch_script.h"
#include "hv/cc.h"
#include "hv/deadline.h"
#include "hv/kvm_abi.h"
#include "hv/tdx/tdx.h"
#include "hv/vm.h"
#include "hv/vmm_native.h"
#include "hv/x86/vectors.h"
#include "lib/errno.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/suites.h"

/* Slot 1: 2 MiB of gmem at GMEM_GPA (not in place: shared accesses use
 * the slot's own memory); slot 2: 2 MiB of ordinary memory at PLAIN_GPA. */
#define GMEM_GPA 0x200000ULL
#define PLAIN_GPA 0x400000ULL
#define SHARED TDX_SHARED_BIT
#define NO_STEPS 8

struct env {
	struct vmm_native st;
	struct vmm v;
	int vm, gmem, vcpu;
	struct vm *obj;
	struct arch_vcpu *c;
	struct vmm_exit x;
	const struct arch_ops *saved_arch;
	struct deadline_timer saved_timer;
	bool had_timer;
	struct arch_exit steps[NO_STEPS];
	unsigned int n, next;
};

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

	e->c = c;
	if (e->next == e->n)
		return -ERANGE;
	*x = e->steps[e->next++ % NO_STEPS];
	x->rip = arch_script_ops.get_reg(c, ARCH_REG_RIP);
	return 0;
}

static void push(struct env *e, struct arch_exit x)
{
	e->steps[e->n++ % NO_STEPS] = x;
}

static void fault(struct env *e, u64 gpa, bool write)
{
	push(e, (struct arch_exit){.kind = ARCH_EXIT_FAULT,
				   .code = 0x400,
				   .info2 = gpa,
				   .fault = {.gpa = gpa, .write = write}});
}

static int region(struct env *e, u32 slot, u32 flags, u64 gpa, int gmem)
{
	struct vmm_region r = {.slot = slot,
			       .flags = flags,
			       .guest_phys_addr = gpa,
			       .memory_size = SZ_2M,
			       .guest_memfd = gmem};

	return e->v.ops->set_region(&e->v, e->vm, &r);
}

static int set_private(struct env *e, u64 gpa, u64 len, bool private)
{
	return e->v.ops->set_attributes(
		&e->v, e->vm, gpa, len,
		private ? GMV_MEMORY_ATTRIBUTE_PRIVATE : 0, 0);
}

static bool add_vcpu(struct kt *t, struct env *e)
{
	struct vmm_entry entry = {.rip = 0x10000, .rsp = 0x20000};

	e->vcpu = e->v.ops->create_vcpu(&e->v, e->vm);
	return KT_EXPECT_GE(t, e->vcpu, 0) &&
	       KT_EXPECT_OK(t, e->v.ops->vcpu_enter(&e->v, e->vcpu, &entry));
}

/* The VM and its slots, and with vcpu its vCPU. */
static bool env_open(struct kt *t, struct env *e, bool vcpu)
{
	const struct deadline_timer *tm = deadline_timer();
	struct deadline_timer far = {.name = "fake",
				     .tsc_per_ms = 1ULL << 40,
				     .arm = no_arm,
				     .disarm = no_disarm};
	const struct vmm_ops *o;

	memset(e, 0, sizeof(*e));
	e->vcpu = -1;
	e->had_timer = tm;
	if (tm)
		e->saved_timer = *tm;
	deadline_timer_register(&far);
	e->saved_arch = arch_use(&arch_script_ops);
	arch_script_set(next_exit, e);
	e->v = (struct vmm)VMM_NATIVE_INIT(e->st);
	o = e->v.ops;
	e->vm = o->create_vm(&e->v, GMV_VM_TDX);
	if (!KT_EXPECT_GE(t, e->vm, 0))
		return false;
	e->obj = vmm_native_vm(&e->v, e->vm);
	if (!KT_EXPECT_STR_EQ(t, vm_cc(e->obj)->name, "tdx_model"))
		return false;
	e->gmem = o->create_gmem(&e->v, e->vm, SZ_2M, 0);
	if (!KT_EXPECT_GE(t, e->gmem, 0) ||
	    !KT_EXPECT_OK(
		    t, region(e, 1, GMV_MEM_GUEST_MEMFD, GMEM_GPA, e->gmem)) ||
	    !KT_EXPECT_OK(t, region(e, 2, 0, PLAIN_GPA, -1)))
		return false;
	return !vcpu || add_vcpu(t, e);
}

static void env_close(struct kt *t, struct env *e)
{
	e->v.ops->reset(&e->v);
	KT_EXPECT_OK(t, e->v.ops->check(&e->v));
	KT_EXPECT_EQ(t, vm_nr_live(), 0);
	KT_EXPECT(t, tdx_cc_model() == NULL);
	arch_script_set(NULL, NULL);
	arch_use(e->saved_arch);
	deadline_timer_register(e->had_timer ? &e->saved_timer : NULL);
}

static int run(struct env *e)
{
	return e->v.ops->vcpu_run(&e->v, e->vcpu, &e->x);
}

static bool run_to_hlt(struct kt *t, struct env *e)
{
	push(e, (struct arch_exit){.kind = ARCH_EXIT_HLT, .code = 0x78});
	return KT_EXPECT_OK(t, run(e)) &&
	       KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HLT);
}

/* The translation at exactly gpa (no alias tried), 0 or -ENOENT. */
static int npt_at(struct env *e, u64 gpa, struct arch_xlate *x)
{
	return arch_script_ops.lookup(vm_arch_vm(e->obj), gpa, x);
}

/*
 * A fault without the shared bit is private: TDX's prepare AUGs the page
 * (2 MiB, PENDING), and the access to a page not accepted is the module's
 * #VE, nothing mapped; once accepted it is mapped at its GPA, 2 MiB, as
 * its leaf. One with the bit is
 * shared and mapped at the alias only; a private fault where no private
 * memory can be is the case's memory fault at the GPA. Making a range
 * shared zaps its private translations (the GPA alone); making one
 * private zaps its shared ones, the alias with them.
 */
static void tdx_exit_shared_bit_faults_and_zaps(struct kt *t)
{
	static struct env e;
	const struct arch_vm *avm;
	struct tdx_entry_info i;
	struct arch_xlate x;
	u64 zaps;

	if (!env_open(t, &e, true))
		goto out;
	avm = vm_arch_vm(e.obj);
	if (!KT_EXPECT_OK(t, set_private(&e, GMEM_GPA, SZ_2M, true)))
		goto out;
	fault(&e, GMEM_GPA + 0x5008, false);
	fault(&e, (PLAIN_GPA + 0x3010) | SHARED, true);
	if (!run_to_hlt(t, &e))
		goto out;
	KT_ASSERT(t, !tdx_model_entry(tdx_cc_model(), tdx_vm_td(e.obj),
				      GMEM_GPA, TDX_LEVEL_2M, &i));
	KT_EXPECT(t, i.reached && i.state == TDX_SEPT_PENDING);
	KT_EXPECT_EQ(t, arch_script_vcpu_stats(e.c)->injects, 1);
	KT_EXPECT_EQ(t, arch_script_vcpu_stats(e.c)->last_vector, X86_VEC_VE);
	KT_EXPECT_ERRNO(t, npt_at(&e, GMEM_GPA, &x), ENOENT);
	/* What the guest's TDG.MEM.PAGE.ACCEPT does in the model. */
	KT_EXPECT_EQ(t,
		     tdx_accept(tdx_cc_model(), tdx_vm_td(e.obj), 0, GMEM_GPA,
				TDX_LEVEL_2M, NULL),
		     TDX_SUCCESS);
	fault(&e, GMEM_GPA + 0x5008, false);
	if (!run_to_hlt(t, &e))
		goto out;
	KT_EXPECT_EQ(t, arch_script_vcpu_stats(e.c)->injects, 1);
	if (KT_EXPECT_OK(t, npt_at(&e, GMEM_GPA, &x))) {
		KT_EXPECT_EQ(t, x.order, 9);
		KT_EXPECT_EQ(t, tdx_cc_hpa(x.hpa), i.hpa);
	}
	KT_EXPECT_ERRNO(t, npt_at(&e, GMEM_GPA | SHARED, &x), ENOENT);
	/* The shared page at its alias, not at its GPA; vm_lookup_gpa()
	 * finds it by the GPA. */
	if (KT_EXPECT_OK(t, npt_at(&e, (PLAIN_GPA + 0x3000) | SHARED, &x)))
		KT_EXPECT_EQ(t, x.order, 0);
	KT_EXPECT_ERRNO(t, npt_at(&e, PLAIN_GPA + 0x3000, &x), ENOENT);
	KT_EXPECT_OK(t, vm_lookup_gpa(e.obj, PLAIN_GPA + 0x3000, &x));

	/* Private where the slot has no gmem: the memory fault names the
	 * GPA, private. */
	fault(&e, PLAIN_GPA + 0x3010, false);
	KT_EXPECT_ERRNO(t, run(&e), EFAULT);
	KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_MEMORY_FAULT);
	KT_EXPECT_EQ(t, e.x.memory_fault.gpa, PLAIN_GPA + 0x3000);
	KT_EXPECT_EQ(t, e.x.memory_fault.flags, GMV_MEMORY_EXIT_FLAG_PRIVATE);

	/* To private: shared translations at the GPA and at the alias. */
	zaps = arch_script_vm_stats(avm)->zaps;
	KT_EXPECT_OK(t, set_private(&e, PLAIN_GPA, SZ_2M, true));
	KT_EXPECT_EQ(t, arch_script_vm_stats(avm)->zaps, zaps + 2);
	KT_EXPECT_EQ(t, arch_script_vm_stats(avm)->last_filter,
		     ARCH_ZAP_SHARED);
	KT_EXPECT_ERRNO(t, npt_at(&e, (PLAIN_GPA + 0x3000) | SHARED, &x),
			ENOENT);
	/* To shared: the private translations, at the GPA only. */
	zaps = arch_script_vm_stats(avm)->zaps;
	KT_EXPECT_OK(t, set_private(&e, GMEM_GPA, SZ_2M, false));
	KT_EXPECT_EQ(t, arch_script_vm_stats(avm)->zaps, zaps + 1);
	KT_EXPECT_ERRNO(t, npt_at(&e, GMEM_GPA, &x), ENOENT);
	/* A shared access there now maps the slot's own page at the
	 * alias. */
	fault(&e, (GMEM_GPA + 0x5008) | SHARED, false);
	if (run_to_hlt(t, &e))
		KT_EXPECT_OK(t, npt_at(&e, (GMEM_GPA + 0x5000) | SHARED, &x));
out:
	env_close(t, &e);
}

static struct tdx_td_info td_info(struct env *e)
{
	struct tdx_td_info i = {0};

	tdx_model_td(tdx_cc_model(), tdx_vm_td(e->obj), &i);
	return i;
}

static struct tdx_entry_info entry_4k(struct env *e, u64 gpa)
{
	struct tdx_entry_info i = {0};

	tdx_model_entry(tdx_cc_model(), tdx_vm_td(e->obj), gpa, TDX_LEVEL_4K,
			&i);
	return i;
}

/*
 * The first vCPU ends the launch (cc_ops.launch_finish: TDH.MR.FINALIZE):
 * a finalize refused fails the vCPU's creation and the launch goes on;
 * the launched pages are MAPPED with the VMM's data and the guest's
 * first access maps them as they are; vm_launch_update is refused from
 * then on (-EINVAL) and changes nothing; a private page first used after
 * it is AUGed PENDING, its access a #VE.
 */
static void tdx_exit_first_vcpu_ends_the_launch(struct kt *t)
{
	static struct env e;
	u8 data[64], back[64];
	struct tdx_entry_info i;
	struct arch_xlate x;

	if (!env_open(t, &e, false))
		goto out;
	memset(data, 0x3c, sizeof(data));
	if (!KT_EXPECT_OK(t, e.v.ops->guest_write(&e.v, e.vm, GMEM_GPA + 0x1000,
						  data, sizeof(data))) ||
	    !KT_EXPECT_OK(t, set_private(&e, GMEM_GPA, SZ_2M, true)) ||
	    !KT_EXPECT_OK(t, e.v.ops->launch_update(&e.v, e.vm, GMEM_GPA,
						    2 * PAGE_SIZE)))
		goto out;
	KT_EXPECT(t, !td_info(&e).finalized);
	/* The TDR locked elsewhere: MR.FINALIZE is OPERAND_BUSY, no vCPU. */
	if (!KT_EXPECT_OK(t, tdx_model_hold(tdx_cc_model(), TDX_HOLD_TDR,
					    tdx_vm_td(e.obj), 0, 0, true)))
		goto out;
	KT_EXPECT_ERRNO(t, e.v.ops->create_vcpu(&e.v, e.vm), EBUSY);
	tdx_model_hold(tdx_cc_model(), TDX_HOLD_TDR, tdx_vm_td(e.obj), 0, 0,
		       false);
	KT_EXPECT_EQ(t, vm_nr_vcpus(e.obj), 0);
	KT_EXPECT(t, !td_info(&e).finalized);
	KT_EXPECT_OK(t, e.v.ops->launch_update(&e.v, e.vm, GMEM_GPA + 0x2000,
					       PAGE_SIZE));
	if (!add_vcpu(t, &e))
		goto out;
	KT_EXPECT(t, td_info(&e).finalized);
	KT_EXPECT_ERRNO(t,
			e.v.ops->launch_update(&e.v, e.vm, GMEM_GPA + 0x10000,
					       PAGE_SIZE),
			EINVAL);
	KT_EXPECT_EQ(t, entry_4k(&e, GMEM_GPA + 0x10000).state, TDX_SEPT_FREE);
	fault(&e, GMEM_GPA + 0x1008, false);
	fault(&e, GMEM_GPA + 0x5008, true);
	if (!run_to_hlt(t, &e))
		goto out;
	i = entry_4k(&e, GMEM_GPA + 0x1000);
	KT_EXPECT(t, i.reached && i.state == TDX_SEPT_MAPPED);
	if (KT_EXPECT_OK(t, npt_at(&e, GMEM_GPA + 0x1000, &x))) {
		KT_EXPECT_EQ(t, x.order, 0);
		KT_EXPECT_EQ(t, tdx_cc_hpa(x.hpa), i.hpa);
		memcpy(back, (void *)x.hpa, sizeof(back));
		KT_EXPECT_EQ(t, memcmp(back, data, sizeof(data)), 0);
	}
	/* Not launched: AUGed PENDING, and the access is the module's #VE
	 * (the guest must ACCEPT it), nothing mapped. */
	i = entry_4k(&e, GMEM_GPA + 0x5000);
	KT_EXPECT(t, i.reached && i.state == TDX_SEPT_PENDING);
	KT_EXPECT_ERRNO(t, npt_at(&e, GMEM_GPA + 0x5000, &x), ENOENT);
	KT_EXPECT_EQ(t, arch_script_vcpu_stats(e.c)->injects, 1);
	KT_EXPECT_EQ(t, arch_script_vcpu_stats(e.c)->last_vector, X86_VEC_VE);
	KT_EXPECT_OK(t, e.v.ops->check(&e.v));
out:
	env_close(t, &e);
}

static const struct kt_case tdx_exit_cases[] = {
	KT_CASE(tdx_exit_shared_bit_faults_and_zaps),
	KT_CASE(tdx_exit_first_vcpu_ends_the_launch),
};

const struct kt_suite tdx_exit_suite = KT_SUITE("tdx_exit", tdx_exit_cases);
