// SPDX-License-Identifier: MIT
/*
 * tests/host/vcpu_exit_test.c - the vendor-neutral exit policy
 * (hv/vcpu_exit.c) and the run loop (hv/vcpu.c) end to end through the
 * VMM interface (hv/vmm.h), on the scripted backend (hv/arch_script.h):
 * each case scripts the exits a guest would make, and they go through
 * vcpu_run(), the VM's fault path and its second-level table as real ones
 * do. The guest's instruction bytes are real (the policy fetches them
 * through the guest's tables and the table), and a fake deadline timer
 * stands in for the platform's. Host only: the scripted backend is.
 */
#include "hv/alloc.h"
#include "hv/arch_script.h"
#include "hv/base/kmalloc.h"
#include "hv/cc.h"
#include "hv/deadline.h"
#include "hv/vcpu.h"
#include "hv/vm.h"
#include "hv/vmm_native.h"
#include "hv/x86/insn_decode.h"
#include "hv/x86/vectors.h"
#include "lib/errno.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/suites.h"

/*
 * Slot 0: 2 MiB of ordinary memory at GPA 0 with the guest's tables
 * (PML4 0x1000, PDPT 0x2000, PD 0x3000: GVA = GPA up to 1 GiB in 2 MiB
 * pages) and its code at CODE_GPA, all mapped before the first run.
 * Slot 1: 2 MiB of gmem at GMEM_GPA; slot 2: 2 MiB of ordinary memory at
 * PLAIN_GPA; nothing at MMIO_GPA.
 */
#define CODE_GPA 0x10000ULL
#define STACK_TOP 0x20000ULL
#define GMEM_GPA 0x200000ULL
#define PLAIN_GPA 0x400000ULL
#define MMIO_GPA 0x800010ULL
#define NO_STEPS 32

/* One exit of the script, and the registers the guest set before it. */
struct step {
	struct arch_exit x; /* x.rip 0: the vCPU's RIP */
	u64 regs[ARCH_NR_REGS];
	u32 set; /* BIT(r): regs[r] is written first */
	bool timer_fired; /* the deadline timer's interrupt came with it */
};

struct env {
	struct vmm_native st;
	struct vmm v;
	int vm, gmem, vcpu;
	struct vm *obj;
	struct vmm_exit x;
	const struct arch_ops *saved_arch;
	struct deadline_timer saved_timer;
	bool had_timer;
	struct step steps[NO_STEPS];
	unsigned int n, next;
	struct arch_vcpu *c; /* the vCPU the script last ran */
};

/* A deadline timer that records what it is asked (hv/deadline.h). */
static u64 fake_armed;

static void fake_arm(u64 deadline)
{
	fake_armed = deadline;
}

static void fake_disarm(void)
{
	fake_armed = 0;
}

/* tsc_per_ms 0: every run's deadline has passed when it starts; 2^40:
 * it is days away at any TSC rate. */
static void fake_timer(u64 tsc_per_ms)
{
	struct deadline_timer t = {
		.name = "fake",
		.tsc_per_ms = tsc_per_ms,
		.arm = fake_arm,
		.disarm = fake_disarm,
	};

	deadline_timer_register(&t);
	fake_armed = 0;
}

#define FAR (1ULL << 40)

static int next_exit(void *ctx, struct arch_vcpu *c, struct arch_exit *x)
{
	struct env *e = ctx;
	const struct step *s;

	e->c = c;
	if (e->next == e->n)
		return -ERANGE; /* the script ran out */
	s = &e->steps[e->next++ % NO_STEPS];
	for (int r = 0; r < ARCH_NR_REGS; r++)
		if (s->set & BIT(r))
			arch_script_ops.set_reg(c, r, s->regs[r]);
	if (s->timer_fired) {
		/* The platform's handler: the timer is no longer armed. */
		deadline_timer_fired();
		fake_armed = 0;
	}
	*x = s->x;
	if (!x->rip)
		x->rip = arch_script_ops.get_reg(c, ARCH_REG_RIP);
	return 0;
}

/* Append an exit to the script; the returned step may set registers. */
static struct step *push(struct env *e, struct arch_exit x)
{
	struct step *s = &e->steps[e->n++ % NO_STEPS];

	memset(s, 0, sizeof(*s));
	s->x = x;
	return s;
}

static void set(struct step *s, enum arch_reg r, u64 val)
{
	s->regs[r] = val;
	s->set |= BIT(r);
}

static struct arch_exit fault(u64 gpa, bool write)
{
	return (struct arch_exit){.kind = ARCH_EXIT_FAULT,
				  .code = 0x400,
				  .info2 = gpa,
				  .fault = {.gpa = gpa, .write = write}};
}

static struct arch_exit io(u16 port, u8 size, bool in, u8 len)
{
	return (struct arch_exit){
		.kind = ARCH_EXIT_IO,
		.code = 0x7b,
		.insn_len = len,
		.io = {.port = port, .size = size, .in = in},
	};
}

static struct arch_exit kind(enum arch_exit_kind k, u64 code)
{
	return (struct arch_exit){.kind = k, .code = code, .name = "TEST"};
}

static struct arch_exit exception(u8 vector)
{
	return (struct arch_exit){.kind = ARCH_EXIT_EXCEPTION,
				  .code = 0x40 + vector,
				  .vector = vector,
				  .name = "EXCP_TEST"};
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

/* Map gpa's page in the VM's table, as a first guest touch would. */
static int touch(struct env *e, u64 gpa)
{
	struct vm_fault f = {.gpa = gpa};
	int r = vm_fault(e->obj, &f);

	return r ? r
		 : arch_script_ops.map(vm_arch_vm(e->obj), gpa, f.pa, 0,
				       f.writable, false);
}

static bool env_open(struct kt *t, struct env *e, unsigned long type,
		     const u8 *code, size_t n)
{
	const struct deadline_timer *tm = deadline_timer();
	struct vmm_entry entry = {
		.rip = CODE_GPA, .rsp = STACK_TOP, .cr3 = 0x1000};
	const struct vmm_ops *o;
	u64 pte;

	memset(e, 0, sizeof(*e));
	e->had_timer = tm;
	if (tm)
		e->saved_timer = *tm;
	fake_timer(FAR);
	e->saved_arch = arch_use(&arch_script_ops);
	arch_script_set(next_exit, e);
	e->v = (struct vmm)VMM_NATIVE_INIT(e->st);
	o = e->v.ops;
	e->vm = o->create_vm(&e->v, type);
	if (!KT_EXPECT_GE(t, e->vm, 0) ||
	    !KT_EXPECT_OK(t, region(e, 0, 0, 0, -1)))
		return false;
	e->obj = vmm_native_vm(&e->v, e->vm);
	pte = 0x2000 | 7;
	o->guest_write(&e->v, e->vm, 0x1000, &pte, 8);
	pte = 0x3000 | 7;
	o->guest_write(&e->v, e->vm, 0x2000, &pte, 8);
	for (u64 i = 0; i < 512; i++) {
		pte = (i << 21) | 0x87;
		o->guest_write(&e->v, e->vm, 0x3000 + 8 * i, &pte, 8);
	}
	if (!KT_EXPECT_OK(t, o->guest_write(&e->v, e->vm, CODE_GPA, code, n)))
		return false;
	for (u64 gpa = 0x1000; gpa <= 0x3000; gpa += PAGE_SIZE)
		if (!KT_EXPECT_OK(t, touch(e, gpa)))
			return false;
	if (!KT_EXPECT_OK(t, touch(e, CODE_GPA)))
		return false;
	e->gmem = o->create_gmem(&e->v, e->vm, SZ_2M, 0);
	if (!KT_EXPECT_GE(t, e->gmem, 0) ||
	    !KT_EXPECT_OK(
		    t, region(e, 1, GMV_MEM_GUEST_MEMFD, GMEM_GPA, e->gmem)) ||
	    !KT_EXPECT_OK(t, region(e, 2, 0, PLAIN_GPA, -1)))
		return false;
	e->vcpu = o->create_vcpu(&e->v, e->vm);
	return KT_EXPECT_GE(t, e->vcpu, 0) &&
	       KT_EXPECT_OK(t, o->vcpu_enter(&e->v, e->vcpu, &entry));
}

static void env_close(struct kt *t, struct env *e)
{
	e->v.ops->reset(&e->v);
	KT_EXPECT_OK(t, e->v.ops->check(&e->v));
	KT_EXPECT_EQ(t, vm_nr_live(), 0);
	arch_script_set(NULL, NULL);
	arch_use(e->saved_arch);
	deadline_timer_register(e->had_timer ? &e->saved_timer : NULL);
}

/*
 * Define a case whose body gets an env open on a VM of 'type' with 'code'
 * at CODE_GPA; the wrapper closes it (nothing may leak), also when the
 * open failed or the body returned early.
 */
#define EXIT_CASE(name, type, code)                            \
	static void name##_body(struct kt *t, struct env *e);  \
	static void name(struct kt *t)                         \
	{                                                      \
		static struct env e;                           \
                                                               \
		if (env_open(t, &e, type, code, sizeof(code))) \
			name##_body(t, &e);                    \
		env_close(t, &e);                              \
	}                                                      \
	static void name##_body(struct kt *t, struct env *e)

static int run(struct env *e)
{
	return e->v.ops->vcpu_run(&e->v, e->vcpu, &e->x);
}

/* A register as the case sees it (KVM_GET_REGS / KVM_SET_REGS). */
static u64 *field(struct vmm_regs *r, enum arch_reg reg)
{
	switch (reg) {
	case ARCH_REG_RAX:
		return &r->rax;
	case ARCH_REG_RCX:
		return &r->rcx;
	default:
		return &r->rip;
	}
}

static u64 get(struct env *e, enum arch_reg reg)
{
	struct vmm_regs r;

	e->v.ops->vcpu_get_regs(&e->v, e->vcpu, &r);
	return *field(&r, reg);
}

static void put(struct env *e, enum arch_reg reg, u64 val)
{
	struct vmm_regs r;

	e->v.ops->vcpu_get_regs(&e->v, e->vcpu, &r);
	*field(&r, reg) = val;
	e->v.ops->vcpu_set_regs(&e->v, e->vcpu, &r);
}

/* Run to an HLT exit (the script's last step), checking the RIP after. */
static bool run_to_hlt(struct kt *t, struct env *e, u64 rip)
{
	push(e, kind(ARCH_EXIT_HLT, 0x78));
	return KT_EXPECT_OK(t, run(e)) &&
	       KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HLT) &&
	       KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), rip + 1);
}

static const u8 io_code[] = {
	0xef, /* out dx, eax */
	0xec, /* in al, dx */
	0x90, /* nop */
};

EXIT_CASE(vcpu_exit_port_io_completes, GMV_VM_DEFAULT, io_code)
{
	set(push(e, io(0x1234, 4, false, 1)), ARCH_REG_RAX,
	    0xffffffffcafef00dULL);
	if (!KT_EXPECT_OK(t, run(e)))
		return;
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_IO);
	KT_EXPECT_EQ(t, e->x.io.port, 0x1234);
	KT_EXPECT_EQ(t, e->x.io.size, 4);
	KT_EXPECT_EQ(t, e->x.io.in, false);
	KT_EXPECT_EQ(t, e->x.io.count, 1);
	KT_EXPECT_EQ(t, e->x.io.data, 0xcafef00d);
	/* RIP stays on the OUT until the next run completes it. */
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA);

	/* The next run steps over it; the IN's byte lands in AL only. */
	push(e, io(0x1234, 1, true, 1));
	if (!KT_EXPECT_OK(t, run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_IO))
		return;
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA + 1);
	KT_EXPECT(t, e->x.io.in);
	e->x.io.data = 0x5a;
	if (!run_to_hlt(t, e, CODE_GPA + 2))
		return;
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RAX), 0xffffffffcafef05aULL);
	/* Nothing is owed twice: the HLT was stepped over, nothing else. */
	if (!run_to_hlt(t, e, CODE_GPA + 3))
		return;

	/* INS/OUTS cannot be expressed in struct vmm_exit. */
	push(e, io(0x1234, 1, false, 2))->x.io.string = true;
	if (KT_EXPECT_OK(t, run(e))) {
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
		KT_EXPECT_EQ(t, e->x.other.code, 0x7b);
		KT_EXPECT_EQ(t, e->x.other.rip, CODE_GPA + 4);
	}
}

/* Like KVM, nothing is completed once the case moved RIP. */
EXIT_CASE(vcpu_exit_completion_respects_moved_rip, GMV_VM_DEFAULT, io_code)
{
	put(e, ARCH_REG_RIP, CODE_GPA + 1);
	set(push(e, io(0x80, 4, true, 1)), ARCH_REG_RAX, 7);
	if (!KT_EXPECT_OK(t, run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_IO))
		return;
	put(e, ARCH_REG_RIP, 0x8000);
	e->x.io.data = 0x99;
	run_to_hlt(t, e, 0x8000);
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RAX), 7);
}

static const u8 hypercall_code[] = {
	0x0f, 0x01, 0xd9, /* 0x00 vmmcall */
	0xf3, 0x0f, 0x01, 0xd9, /* 0x03 vmgexit */
	0x0f, 0x01, 0xd9, /* 0x07 vmmcall */
	0x90, /* 0x0a nop */
};

static const u8 vmcall_code[] = {
	0x0f, 0x01, 0xc1, /* 0x00 vmcall */
	0x0f, 0x01, 0xc1, /* 0x03 vmcall */
	0x90, /* 0x06 nop */
};

/* A KVM_HC_MAP_GPA_RANGE hypercall with these arguments. */
static struct step *map_gpa(struct env *e, u64 gpa, u64 npages, u64 attrs)
{
	struct step *s = push(e, kind(ARCH_EXIT_HYPERCALL, 0x81));

	set(s, ARCH_REG_RAX, GMV_HC_MAP_GPA_RANGE);
	set(s, ARCH_REG_RBX, gpa);
	set(s, ARCH_REG_RCX, npages);
	set(s, ARCH_REG_RDX, attrs);
	return s;
}

EXIT_CASE(vcpu_exit_hypercall_abi, GMV_VM_DEFAULT, hypercall_code)
{
	static const u64 bad[][2] = {
		{0x10001, 1},
		{0x10000, 0},
		{0x10000, ~0ULL},
	};
	struct step *s;

	/* KVM_HC_MAP_GPA_RANGE(gpa 0x10000, 4 pages, encrypted). */
	map_gpa(e, 0x10000, 4, GMV_MAP_GPA_RANGE_ENCRYPTED);
	if (!KT_EXPECT_OK(t, run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HYPERCALL))
		return;
	KT_EXPECT_EQ(t, e->x.hypercall.nr, GMV_HC_MAP_GPA_RANGE);
	KT_EXPECT_EQ(t, e->x.hypercall.args[0], 0x10000);
	KT_EXPECT_EQ(t, e->x.hypercall.args[1], 4);
	KT_EXPECT_EQ(t, e->x.hypercall.args[2], GMV_MAP_GPA_RANGE_ENCRYPTED);
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA);

	/* VMGEXIT, which QEMU reports as VMMCALL: 4 bytes to step. */
	map_gpa(e, 0x10000, 4, 0);
	if (!KT_EXPECT_OK(t, run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HYPERCALL))
		return;
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA + 3);
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RAX), GMV_HC_MAP_GPA_RANGE);
	e->x.hypercall.ret = -(u64)EINVAL;
	if (!run_to_hlt(t, e, CODE_GPA + 7))
		return;
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RAX), -(u64)EINVAL);

	/* KVM's own checks, answered without an exit: unaligned gpa, no
	 * pages, a range that wraps. */
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		put(e, ARCH_REG_RIP, CODE_GPA + 7);
		map_gpa(e, bad[i][0], bad[i][1], 0);
		if (!run_to_hlt(t, e, CODE_GPA + 10))
			return;
		KT_EXPECT_EQ(t, get(e, ARCH_REG_RAX), -(u64)GMV_KVM_EINVAL);
	}

	/* A length from the hardware (SVM's next_rip) that the bytes
	 * agree with is taken; one they do not is an internal error. */
	put(e, ARCH_REG_RIP, CODE_GPA);
	s = push(e, kind(ARCH_EXIT_HYPERCALL, 0x81));
	s->x.insn_len = 3;
	set(s, ARCH_REG_RAX, 5);
	if (!run_to_hlt(t, e, CODE_GPA + 3))
		return;
	put(e, ARCH_REG_RIP, CODE_GPA + 3);
	s = push(e, kind(ARCH_EXIT_HYPERCALL, 0x81));
	s->x.insn_len = 3; /* VMGEXIT has 4 */
	set(s, ARCH_REG_RAX, 5);
	if (KT_EXPECT_OK(t, run(e))) {
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
		KT_EXPECT_EQ(t, e->x.other.rip, CODE_GPA + 3);
		KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA + 3);
	}

	/* Any other number: -KVM_ENOSYS, and the guest goes on. */
	put(e, ARCH_REG_RIP, CODE_GPA);
	set(push(e, kind(ARCH_EXIT_HYPERCALL, 0x81)), ARCH_REG_RAX, 5);
	if (!run_to_hlt(t, e, CODE_GPA + 3))
		return;
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RAX), -(u64)GMV_KVM_ENOSYS);

	/* A hypercall exit at something else is the backend's confusion. */
	put(e, ARCH_REG_RIP, CODE_GPA + 10);
	push(e, kind(ARCH_EXIT_HYPERCALL, 0x81));
	if (KT_EXPECT_OK(t, run(e))) {
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
		KT_EXPECT_EQ(t, e->x.other.code, 0x81);
		KT_EXPECT_EQ(t, e->x.other.rip, CODE_GPA + 10);
	}
}

/* The other vendor's hypercall instruction is a #UD, taken as the
 * hypercall (KVM emulates it): VMMCALL and VMGEXIT under VMX. */
EXIT_CASE(vcpu_exit_ud_at_a_hypercall_is_the_hypercall, GMV_VM_DEFAULT,
	  hypercall_code)
{
	struct step *s;

	/* The VMMCALL at 0 is answered in place (-KVM_ENOSYS), the VMGEXIT
	 * at 3 goes to the case. */
	set(push(e, exception(X86_VEC_UD)), ARCH_REG_RAX, 5);
	s = push(e, exception(X86_VEC_UD));
	set(s, ARCH_REG_RAX, GMV_HC_MAP_GPA_RANGE);
	set(s, ARCH_REG_RBX, 0x10000);
	set(s, ARCH_REG_RCX, 1);
	if (!KT_EXPECT_OK(t, run(e)))
		return;
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HYPERCALL);
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA + 3);
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RAX), GMV_HC_MAP_GPA_RANGE);
	/* A #UD elsewhere (the NOP is no #UD, but the policy only reads
	 * the bytes) stays a guest exception. */
	put(e, ARCH_REG_RIP, CODE_GPA + 10);
	push(e, exception(X86_VEC_UD));
	if (KT_EXPECT_OK(t, run(e)))
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_SHUTDOWN);
}

/* VMX's VMCALL (Intel's instruction) is the same hypercall: to the case
 * with its arguments, stepped over by its 3 bytes, answered in place for
 * other numbers. */
EXIT_CASE(vcpu_exit_vmcall_is_a_hypercall, GMV_VM_DEFAULT, vmcall_code)
{
	struct step *s = push(e, kind(ARCH_EXIT_HYPERCALL, 18));

	s->x.insn_len = 3;
	set(s, ARCH_REG_RAX, GMV_HC_MAP_GPA_RANGE);
	set(s, ARCH_REG_RBX, 0x20000);
	set(s, ARCH_REG_RCX, 1);
	set(s, ARCH_REG_RDX, 0);
	if (!KT_EXPECT_OK(t, run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HYPERCALL))
		return;
	KT_EXPECT_EQ(t, e->x.hypercall.args[0], 0x20000);
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA);
	e->x.hypercall.ret = 0;
	set(push(e, kind(ARCH_EXIT_HYPERCALL, 18)), ARCH_REG_RAX, 5);
	if (!run_to_hlt(t, e, CODE_GPA + 6))
		return;
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RAX), -(u64)GMV_KVM_ENOSYS);
}

static const u8 mmio_code[] = {
	0x8b, 0x08, /* 0x00 mov ecx, [rax] */
	0xc6, 0x03, 0x7f, /* 0x02 mov byte [rbx], 0x7f */
	0x88, 0x23, /* 0x05 mov [rbx], ah */
	0x90, /* 0x07 nop */
};

EXIT_CASE(vcpu_exit_mmio_store_and_load, GMV_VM_DEFAULT, mmio_code)
{
	struct step *s;
	unsigned int i;

	/* A load from a GPA without a memslot: an MMIO exit of the MOV's
	 * size, completed into ECX (zero-extended) by the next run. */
	set(push(e, fault(MMIO_GPA, false)), ARCH_REG_RCX, ~0ULL);
	if (!KT_EXPECT_OK(t, run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MMIO))
		return;
	KT_EXPECT_EQ(t, e->x.mmio.gpa, MMIO_GPA);
	KT_EXPECT_EQ(t, e->x.mmio.len, 4);
	KT_EXPECT_EQ(t, e->x.mmio.is_write, false);
	e->x.mmio.data = 0xfedcba9876543210ULL;

	/* A store of an immediate byte. */
	push(e, fault(MMIO_GPA, true));
	if (!KT_EXPECT_OK(t, run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MMIO))
		return;
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RCX), 0x76543210);
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA + 2);
	KT_EXPECT_EQ(t, e->x.mmio.len, 1);
	KT_EXPECT_EQ(t, e->x.mmio.is_write, true);
	KT_EXPECT_EQ(t, e->x.mmio.data, 0x7f);

	/* A store of AH. */
	set(push(e, fault(MMIO_GPA, true)), ARCH_REG_RAX, 0x1234);
	if (!KT_EXPECT_OK(t, run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MMIO))
		return;
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA + 5);
	KT_EXPECT_EQ(t, e->x.mmio.data, 0x12);

	/* Not a MOV: len 0 and nothing owed; the guest retries. */
	push(e, fault(MMIO_GPA, false));
	if (!KT_EXPECT_OK(t, run(e)))
		return;
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA + 7);
	KT_EXPECT_EQ(t, e->x.mmio.len, 0);
	if (!run_to_hlt(t, e, CODE_GPA + 7))
		return;

	/* A guest polling one MMIO address from one instruction: each
	 * completed access is a new fault, never a repeat. */
	for (i = 0; i < 2 * 16; i++) {
		s = push(e, fault(MMIO_GPA, false));
		set(s, ARCH_REG_RIP, CODE_GPA);
		if (!KT_EXPECT_OK(t, run(e)) ||
		    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MMIO))
			break;
		e->x.mmio.data = i;
	}
	KT_EXPECT_EQ(t, i, 2 * 16);

	/* A fault in the guest's own page walk at a GPA without memory is
	 * no MMIO access of the MOV: KVM injects #PF, a triple fault
	 * without an IDT. */
	s = push(e, fault(MMIO_GPA & PAGE_MASK, true));
	s->x.fault.walk = true;
	set(s, ARCH_REG_RIP, CODE_GPA);
	if (!KT_EXPECT_OK(t, run(e)))
		return;
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RCX), i - 1);
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_SHUTDOWN);
	KT_EXPECT_EQ(t, e->x.other.code, 0x400);
	KT_EXPECT_EQ(t, e->x.other.info2, MMIO_GPA & PAGE_MASK);
	run_to_hlt(t, e, CODE_GPA);
}

/* A nested fault carrying the instruction bytes, as SVM's decode assists
 * give them: the given bytes decoded. */
static struct step *fault_with_bytes(struct env *e, bool write, const u8 *b,
				     u8 n)
{
	struct step *s = push(e, fault(MMIO_GPA, write));

	memcpy(s->x.insn_bytes, b, n);
	s->x.insn_nbytes = n;
	return s;
}

/*
 * Instruction bytes that came with the exit are decoded instead of the
 * guest's memory (here different from them, to tell which was read): a
 * store of AH given where memory holds a 4-byte load. Too few bytes for a
 * whole instruction: memory is read after all.
 */
EXIT_CASE(vcpu_exit_mmio_prefers_the_exits_bytes, GMV_VM_DEFAULT, mmio_code)
{
	static const u8 store_ah[] = {0x88, 0x23}; /* mov [rbx], ah */
	static const u8 part[] = {0xc6}; /* of mov byte [rbx], 0x7f */

	set(fault_with_bytes(e, true, store_ah, sizeof(store_ah)),
	    ARCH_REG_RAX, 0x3400);
	if (!KT_EXPECT_OK(t, run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MMIO))
		return;
	KT_EXPECT_EQ(t, e->x.mmio.len, 1);
	KT_EXPECT_EQ(t, e->x.mmio.is_write, true);
	KT_EXPECT_EQ(t, e->x.mmio.data, 0x34);
	fault_with_bytes(e, true, part, sizeof(part));
	if (!KT_EXPECT_OK(t, run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MMIO))
		return;
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA + 2);
	KT_EXPECT_EQ(t, e->x.mmio.len, 1);
	KT_EXPECT_EQ(t, e->x.mmio.data, 0x7f);
	run_to_hlt(t, e, CODE_GPA + 5);
}

/* A fault the table resolves but the guest meets again at the same RIP
 * (a backend that maps nothing, say): after 16 repeats the run stops
 * instead of looping. Another fault in between starts the count again. */
EXIT_CASE(vcpu_exit_repeat_fault_guard, GMV_VM_DEFAULT, io_code)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		push(e, fault(0x5008, false));
	push(e, fault(0x6000, false));
	for (i = 0; i < 14; i++)
		push(e, fault(0x5ff0, true));
	if (!run_to_hlt(t, e, CODE_GPA))
		return;
	e->n = e->next = 0;
	for (i = 0; i < 17; i++)
		push(e, fault(0x5008, false));
	if (!KT_EXPECT_OK(t, run(e)))
		return;
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
	KT_EXPECT_EQ(t, e->x.other.code, 0x400);
	KT_EXPECT_EQ(t, e->next, 17);
}

/*
 * A resumed exit (here a host interrupt, ARCH_EXIT_NONE) goes back into
 * the guest, arming the timer again if it fired, until the run's deadline
 * has passed; the run then ends with -EINTR and KVM's KVM_EXIT_INTR. A run
 * without a deadline never ends that way.
 */
EXIT_CASE(vcpu_exit_intr_ends_run_at_deadline, GMV_VM_DEFAULT, io_code)
{
	u64 armed;

	push(e, kind(ARCH_EXIT_NONE, 0x60));
	if (!run_to_hlt(t, e, CODE_GPA))
		return;
	/* Armed once, when the run began. */
	armed = fake_armed;
	KT_EXPECT_LT(t, deadline_now(), armed);
	/* Another source: the timer is still armed, and left alone. */
	fake_armed = 0;
	push(e, kind(ARCH_EXIT_NONE, 0x60));
	if (!run_to_hlt(t, e, CODE_GPA + 1))
		return;
	KT_EXPECT_EQ(t, fake_armed, 0);
	/* The timer fired early (the platform's handler says so): armed
	 * again for the run's deadline. */
	push(e, kind(ARCH_EXIT_NONE, 0x60))->timer_fired = true;
	if (!run_to_hlt(t, e, CODE_GPA + 2))
		return;
	KT_EXPECT_LT(t, armed, fake_armed);
	/* A deadline passed ends the run where the guest was. */
	fake_timer(0);
	push(e, kind(ARCH_EXIT_NONE, 0x60));
	KT_EXPECT_ERRNO(t, run(e), EINTR);
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTR);
	KT_EXPECT_EQ(t, e->x.other.code, 0x60);
	KT_EXPECT_EQ(t, e->x.other.rip, CODE_GPA + 3);
	/* Without a timer there is no deadline at all. */
	deadline_timer_register(NULL);
	KT_EXPECT_EQ(t, deadline_after_ms(10), 0);
	KT_EXPECT(t, !deadline_passed(1));
	push(e, kind(ARCH_EXIT_NONE, 0x60))->timer_fired = true;
	run_to_hlt(t, e, CODE_GPA + 3);
}

/*
 * The timer's interrupt can be taken behind an exit of another kind, which
 * the loop then resumes: such an exit must end the run once the deadline
 * has passed, and arm a timer that fired again, or a guest answered in the
 * loop (an unknown hypercall, a fault mapped) runs forever.
 */
EXIT_CASE(vcpu_exit_resumed_exits_keep_deadline, GMV_VM_DEFAULT, hypercall_code)
{
	struct step *s;

	s = push(e, kind(ARCH_EXIT_HYPERCALL, 0x81));
	set(s, ARCH_REG_RAX, 5);
	s->timer_fired = true;
	fake_armed = 0;
	if (!run_to_hlt(t, e, CODE_GPA + 3))
		return;
	KT_EXPECT_NE(t, fake_armed, 0);
	/* Past the deadline, the same exit ends the run, its work done. */
	fake_timer(0);
	put(e, ARCH_REG_RIP, CODE_GPA + 7);
	set(push(e, kind(ARCH_EXIT_HYPERCALL, 0x81)), ARCH_REG_RAX, 5);
	KT_EXPECT_ERRNO(t, run(e), EINTR);
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTR);
	KT_EXPECT_EQ(t, e->x.other.code, 0x81);
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RAX), -(u64)GMV_KVM_ENOSYS);
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA + 10);
	KT_EXPECT_EQ(t, e->x.other.rip, CODE_GPA + 10);
	/* A fault mapped, likewise: the mapping is made. */
	push(e, fault(0x7000, false));
	KT_EXPECT_ERRNO(t, run(e), EINTR);
	KT_EXPECT_EQ(t, e->x.other.code, 0x400);
	KT_EXPECT_OK(t, vm_lookup_gpa(e->obj, 0x7000, &(struct arch_xlate){0}));
	/* Exits for the case are not held back by the deadline. */
	push(e, kind(ARCH_EXIT_SHUTDOWN, 0x7f));
	if (KT_EXPECT_OK(t, run(e)))
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_SHUTDOWN);
}

/* A test model (hv/cc.h) whose guest hook records the request and answers
 * what the case asks. */
static struct {
	unsigned int calls;
	struct cc_guest_req req;
	struct insn insn;
	int answer;
} model;

static int model_guest(struct cc_guest_req *req, struct vmm_exit *exit)
{
	model.calls++;
	model.req = *req;
	if (req->insn)
		model.insn = *req->insn;
	if (model.answer == CC_GUEST_RESUME) {
		req->regs[ARCH_REG_RAX] = 0x5a5a;
		req->regs[ARCH_REG_RIP] += req->insn ? req->insn->len : 3;
	} else if (model.answer == CC_GUEST_EXIT) {
		exit->reason = GMV_EXIT_IO;
		exit->io.port = 0xcc;
	}
	return model.answer;
}

static const struct cc_ops test_model = {
	.name = "test",
	.vm_type = GMV_VM_SW_PROTECTED,
	.private_source = CC_PRIVATE_ATTRIBUTE,
	.guest = model_guest,
};

static const u8 cc_code[] = {
	0x66, 0x0f, 0x01, 0xcc, /* 0x00 tdcall */
	0x0f, 0x0b, /* 0x04 ud2 */
	0xf2, 0x0f, 0x01, 0xff, /* 0x06 pvalidate */
	0xf3, 0x0f, 0x01, 0xd9, /* 0x0a vmgexit */
	0x0f, 0x01, 0xd9, /* 0x0e vmmcall */
	0x90, /* 0x11 nop */
};

/* Without a model that takes them, the CC instructions behind #UD end
 * the run as internal errors naming the instruction; a guest's own #UD
 * and other exceptions are triple faults. */
EXIT_CASE(vcpu_exit_cc_instructions_not_emulated, GMV_VM_SW_PROTECTED, cc_code)
{
	push(e, exception(X86_VEC_UD));
	if (!KT_EXPECT_OK(t, run(e)))
		return;
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
	KT_EXPECT_EQ(t, e->x.other.code, 0x46);
	KT_EXPECT_EQ(t, e->x.other.info2, INSN_TDCALL);
	KT_EXPECT_EQ(t, e->x.other.rip, CODE_GPA);
	put(e, ARCH_REG_RIP, CODE_GPA + 4);
	push(e, exception(X86_VEC_UD));
	if (KT_EXPECT_OK(t, run(e)))
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_SHUTDOWN);
	/* A #GP at a CC instruction is the guest's, too. */
	put(e, ARCH_REG_RIP, CODE_GPA + 6);
	push(e, exception(X86_VEC_GP));
	if (KT_EXPECT_OK(t, run(e))) {
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_SHUTDOWN);
		KT_EXPECT_EQ(t, e->x.other.code, 0x40 + X86_VEC_GP);
	}
}

/*
 * The VM's model sees the trapped CC instructions (CC_GUEST_INSN), VMGEXIT
 * and KVM_HC_MAP_GPA_RANGE first, with the guest's registers; it resumes
 * the guest with the registers it wrote, makes an exit of its own, fails
 * (an internal error), or leaves the exit to the policy.
 */
static void vcpu_exit_cc_model_takes_guest_requests(struct kt *t)
{
	static struct env e;
	const struct cc_ops *old = cc_use(&test_model);

	memset(&model, 0, sizeof(model));
	if (!env_open(t, &e, GMV_VM_SW_PROTECTED, cc_code, sizeof(cc_code)))
		goto out;
	/* PVALIDATE, resumed with the model's RAX and RIP. */
	model.answer = CC_GUEST_RESUME;
	put(&e, ARCH_REG_RIP, CODE_GPA + 6);
	push(&e, exception(X86_VEC_UD));
	if (!run_to_hlt(t, &e, CODE_GPA + 10))
		goto out;
	KT_EXPECT_EQ(t, get(&e, ARCH_REG_RAX), 0x5a5a);
	KT_EXPECT_EQ(t, model.calls, 1);
	KT_EXPECT_EQ(t, model.req.kind, CC_GUEST_INSN);
	KT_EXPECT_EQ(t, model.insn.op, INSN_PVALIDATE);
	KT_EXPECT(t, model.req.vm == e.obj);
	KT_EXPECT_EQ(t, model.req.vcpu, 0);
	KT_EXPECT_EQ(t, model.req.regs[ARCH_REG_RIP], CODE_GPA + 6);
	KT_EXPECT_EQ(t, model.req.regs[ARCH_REG_CR3], 0x1000);
	/* An exit of the model's own. */
	model.answer = CC_GUEST_EXIT;
	put(&e, ARCH_REG_RIP, CODE_GPA);
	push(&e, exception(X86_VEC_UD));
	if (KT_EXPECT_OK(t, run(&e))) {
		KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_IO);
		KT_EXPECT_EQ(t, e.x.io.port, 0xcc);
	}
	KT_EXPECT_EQ(t, model.insn.op, INSN_TDCALL);
	/* A failure: an internal error. */
	model.answer = -EIO;
	push(&e, exception(X86_VEC_UD));
	if (KT_EXPECT_OK(t, run(&e)))
		KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_INTERNAL_ERROR);
	/* Left alone: not emulated, as without a hook. */
	model.answer = CC_GUEST_UNHANDLED;
	push(&e, exception(X86_VEC_UD));
	if (KT_EXPECT_OK(t, run(&e)))
		KT_EXPECT_EQ(t, e.x.other.info2, INSN_TDCALL);
	/* A UD2 never reaches the model. */
	model.calls = 0;
	put(&e, ARCH_REG_RIP, CODE_GPA + 4);
	push(&e, exception(X86_VEC_UD));
	if (KT_EXPECT_OK(t, run(&e)))
		KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_SHUTDOWN);
	KT_EXPECT_EQ(t, model.calls, 0);

	/* VMGEXIT, then the MAP_GPA_RANGE it makes, both left alone: the
	 * case gets the hypercall, as without a model. */
	put(&e, ARCH_REG_RIP, CODE_GPA + 10);
	map_gpa(&e, 0x200000, 512, GMV_MAP_GPA_RANGE_ENCRYPTED);
	if (!KT_EXPECT_OK(t, run(&e)) ||
	    !KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_HYPERCALL))
		goto out;
	KT_EXPECT_EQ(t, model.calls, 2);
	KT_EXPECT_EQ(t, model.req.kind, CC_GUEST_MAP_GPA);
	KT_EXPECT_EQ(t, model.req.gpa, 0x200000);
	KT_EXPECT_EQ(t, model.req.npages, 512);
	KT_EXPECT_EQ(t, model.req.attrs, GMV_MAP_GPA_RANGE_ENCRYPTED);
	/* The model takes MAP_GPA_RANGE from VMMCALL. */
	model.answer = CC_GUEST_RESUME;
	e.x.hypercall.ret = 0;
	put(&e, ARCH_REG_RIP, CODE_GPA + 14);
	map_gpa(&e, 0x200000, 512, 0);
	if (!run_to_hlt(t, &e, CODE_GPA + 17))
		goto out;
	KT_EXPECT_EQ(t, model.calls, 3);
	KT_EXPECT_EQ(t, get(&e, ARCH_REG_RAX), 0x5a5a);
	/* VMGEXIT taken by the model: no hypercall ABI at all. */
	model.calls = 0;
	put(&e, ARCH_REG_RIP, CODE_GPA + 10);
	set(push(&e, kind(ARCH_EXIT_HYPERCALL, 0x403)), ARCH_REG_RAX, 5);
	if (!run_to_hlt(t, &e, CODE_GPA + 14))
		goto out;
	KT_EXPECT_EQ(t, model.calls, 1);
	KT_EXPECT_EQ(t, model.req.kind, CC_GUEST_VMGEXIT);
	KT_EXPECT_EQ(t, model.insn.op, INSN_VMGEXIT);
	KT_EXPECT_EQ(t, get(&e, ARCH_REG_RAX), 0x5a5a);
out:
	env_close(t, &e);
	cc_use(old);
}

/* Faults that say shared at a private gfn, then private at a shared one,
 * on a VM whose model takes the kind from the attribute or the exit. */
static void private_kinds(struct kt *t, bool from_exit)
{
	static struct env e;
	struct arch_xlate x;
	struct step *s;

	if (!env_open(t, &e, GMV_VM_SW_PROTECTED, io_code, sizeof(io_code)) ||
	    !KT_EXPECT_OK(t, e.v.ops->set_attributes(
				     &e.v, e.vm, GMEM_GPA, SZ_2M,
				     GMV_MEMORY_ATTRIBUTE_PRIVATE, 0)))
		goto out;
	push(&e, fault(GMEM_GPA + 8, false));
	if (!from_exit) {
		/* The attribute rules: gmem's private 2 MiB block. */
		if (!run_to_hlt(t, &e, CODE_GPA) ||
		    !KT_EXPECT_OK(t, vm_lookup_gpa(e.obj, GMEM_GPA, &x)))
			goto out;
		KT_EXPECT_EQ(t, x.order, 9);
		s = push(&e, fault(PLAIN_GPA + 0x1010, true));
		s->x.fault.private = true;
		if (run_to_hlt(t, &e, CODE_GPA + 1))
			KT_EXPECT_OK(t, vm_lookup_gpa(e.obj, PLAIN_GPA + 0x1000,
						      &x));
		goto out;
	}
	/* The exit's word differs from the attribute: KVM's memory-fault
	 * exit, the access's kind in its flags. */
	KT_EXPECT_ERRNO(t, run(&e), EFAULT);
	KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_MEMORY_FAULT);
	KT_EXPECT_EQ(t, e.x.memory_fault.gpa, GMEM_GPA);
	KT_EXPECT_EQ(t, e.x.memory_fault.size, PAGE_SIZE);
	KT_EXPECT_EQ(t, e.x.memory_fault.flags, 0);
	s = push(&e, fault(PLAIN_GPA + 0x1010, true));
	s->x.fault.private = true;
	KT_EXPECT_ERRNO(t, run(&e), EFAULT);
	KT_EXPECT_EQ(t, e.x.memory_fault.gpa, PLAIN_GPA + 0x1000);
	KT_EXPECT_EQ(t, e.x.memory_fault.flags, GMV_MEMORY_EXIT_FLAG_PRIVATE);
	/* Private at a private gfn: gmem's page, mapped. */
	s = push(&e, fault(GMEM_GPA, false));
	s->x.fault.private = true;
	if (run_to_hlt(t, &e, CODE_GPA))
		KT_EXPECT_OK(t, vm_lookup_gpa(e.obj, GMEM_GPA, &x));
out:
	env_close(t, &e);
}

/*
 * Where an access's kind comes from (hv/cc.h): a software-protected VM
 * takes the gfn's attribute whatever the exit says; a model whose hardware
 * reports it (SNP's C-bit, TDX's shared bit) takes the exit's word, and
 * vm_fault() turns a kind that differs from the attribute into KVM's
 * memory-fault exit.
 */
static void vcpu_exit_private_from_exit_or_attribute(struct kt *t)
{
	static const struct cc_ops from_exit = {
		.name = "from_exit",
		.vm_type = GMV_VM_SW_PROTECTED,
		.private_source = CC_PRIVATE_FROM_EXIT,
	};
	const struct cc_ops *old;

	private_kinds(t, false);
	old = cc_use(&from_exit);
	private_kinds(t, true);
	cc_use(old);
}

/*
 * The security model's fault-time hooks against the mapping: prepare()
 * runs before the backend maps the page (the model sees no translation
 * yet), once per block, and max_order() clamps what is mapped.
 */
static struct {
	struct vm *vm;
	unsigned int prepares, mapped_before, max_order;
	u64 gfn;
	unsigned int order;
} seen;

static int seen_prepare(struct vm *vm, u64 gfn, phys_addr_t pa,
			unsigned int order)
{
	struct arch_xlate x;

	seen.prepares++;
	seen.gfn = gfn;
	seen.order = order;
	seen.mapped_before += !vm_lookup_gpa(vm, gfn << PAGE_SHIFT, &x);
	return 0;
}

static unsigned int seen_max_order(struct vm *vm, u64 gfn, phys_addr_t pa)
{
	return seen.max_order;
}

static void vcpu_exit_prepare_before_the_mapping(struct kt *t)
{
	static const struct cc_ops model = {
		.name = "prepare_probe",
		.vm_type = GMV_VM_SW_PROTECTED,
		.private_source = CC_PRIVATE_ATTRIBUTE,
		.prepare = seen_prepare,
		.max_order = seen_max_order,
	};
	const struct cc_ops *old = cc_use(&model);
	static struct env e;
	struct arch_xlate x;

	memset(&seen, 0, sizeof(seen));
	seen.max_order = 9;
	if (!env_open(t, &e, GMV_VM_SW_PROTECTED, io_code, sizeof(io_code)) ||
	    !KT_EXPECT_OK(t, e.v.ops->set_attributes(
				     &e.v, e.vm, GMEM_GPA, SZ_2M,
				     GMV_MEMORY_ATTRIBUTE_PRIVATE, 0)))
		goto out;
	/* The first private fault: prepared over 2 MiB, then mapped so. */
	push(&e, fault(GMEM_GPA + 0x5008, true));
	push(&e, fault(GMEM_GPA + 0x7000, false));
	if (!run_to_hlt(t, &e, CODE_GPA))
		goto out;
	KT_EXPECT_EQ(t, seen.prepares, 1);
	KT_EXPECT_EQ(t, seen.mapped_before, 0);
	KT_EXPECT_EQ(t, seen.gfn, GMEM_GPA >> PAGE_SHIFT);
	KT_EXPECT_EQ(t, seen.order, 9);
	if (KT_EXPECT_OK(t, vm_lookup_gpa(e.obj, GMEM_GPA + 0x5000, &x)))
		KT_EXPECT_EQ(t, x.order, 9);
	/* Shared and private again by attribute, with the model allowing
	 * 4 KiB only: the page stays prepared (attributes are the VM's, not
	 * gmem's state), and the refault is mapped at 4 KiB. */
	seen.max_order = 0;
	if (!KT_EXPECT_OK(t, e.v.ops->set_attributes(&e.v, e.vm,
						     GMEM_GPA + 0x5000,
						     PAGE_SIZE, 0, 0)) ||
	    !KT_EXPECT_OK(t, e.v.ops->set_attributes(
				     &e.v, e.vm, GMEM_GPA + 0x5000, PAGE_SIZE,
				     GMV_MEMORY_ATTRIBUTE_PRIVATE, 0)))
		goto out;
	push(&e, fault(GMEM_GPA + 0x5008, false));
	if (!run_to_hlt(t, &e, CODE_GPA + 1))
		goto out;
	if (KT_EXPECT_OK(t, vm_lookup_gpa(e.obj, GMEM_GPA + 0x5000, &x)))
		KT_EXPECT_EQ(t, x.order, 0);
	KT_EXPECT_EQ(t, seen.prepares, 1);
out:
	env_close(t, &e);
	cc_use(old);
}

/*
 * A nested fault is resolved by vm_fault() and mapped as it says: the
 * largest block its order allows, writable where the slot takes writes.
 * A write to a read-only slot is MMIO; a mapping the table cannot take
 * (no page for a table) is a memory-fault exit. Invalidations reach the
 * table with their filter, and the vCPU flushes once before it enters.
 */
EXIT_CASE(vcpu_exit_nested_faults_map_what_vm_fault_gives, GMV_VM_SW_PROTECTED,
	  io_code)
{
	const struct arch_script_stats *vs;
	const struct arch_vm *avm = vm_arch_vm(e->obj);
	struct vmm_region ro = {.slot = 3,
				.flags = GMV_MEM_READONLY,
				.guest_phys_addr = 0x600000,
				.memory_size = SZ_2M,
				.guest_memfd = -1};
	struct arch_xlate x;
	u64 zaps, flushes;
	int r;

	if (!KT_EXPECT_OK(t, e->v.ops->set_region(&e->v, e->vm, &ro)) ||
	    !KT_EXPECT_OK(t, e->v.ops->set_attributes(
				     &e->v, e->vm, GMEM_GPA, SZ_2M,
				     GMV_MEMORY_ATTRIBUTE_PRIVATE, 0)))
		return;
	push(e, fault(PLAIN_GPA + 0x3008, true));
	push(e, fault(GMEM_GPA + 0x12345, false));
	push(e, fault(0x600000, false));
	if (!run_to_hlt(t, e, CODE_GPA))
		return;
	vs = arch_script_vcpu_stats(e->c);
	KT_EXPECT_EQ(t, vs->runs, 4);
	if (KT_EXPECT_OK(t, vm_lookup_gpa(e->obj, PLAIN_GPA + 0x3008, &x))) {
		KT_EXPECT_EQ(t, x.order, 0);
		KT_EXPECT(t, x.writable);
	}
	if (KT_EXPECT_OK(t, vm_lookup_gpa(e->obj, GMEM_GPA + 0x1ff000, &x)))
		KT_EXPECT_EQ(t, x.order, 9);
	if (KT_EXPECT_OK(t, vm_lookup_gpa(e->obj, 0x600000, &x)))
		KT_EXPECT(t, !x.writable);
	/* A write to the read-only slot: MMIO. */
	push(e, fault(0x600000, true));
	if (KT_EXPECT_OK(t, run(e)))
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MMIO);

	/* Making the gmem range shared drops its private translations: one
	 * zap with the private filter, one flush, taken at the next entry. */
	zaps = arch_script_vm_stats(avm)->zaps;
	flushes = vs->flushes;
	KT_EXPECT_OK(t, e->v.ops->set_attributes(&e->v, e->vm, GMEM_GPA, SZ_2M,
						 0, 0));
	KT_EXPECT_EQ(t, arch_script_vm_stats(avm)->zaps, zaps + 1);
	KT_EXPECT_EQ(t, arch_script_vm_stats(avm)->last_filter,
		     ARCH_ZAP_PRIVATE);
	KT_EXPECT_ERRNO(t, vm_lookup_gpa(e->obj, GMEM_GPA, &x), ENOENT);
	if (!run_to_hlt(t, e, CODE_GPA + 1))
		return;
	KT_EXPECT_EQ(t, vs->flushes, flushes + 1);

	/* GPA 4 GiB (its page already backed) needs new table pages, and
	 * none is left. */
	ro.slot = 4;
	ro.flags = 0;
	ro.guest_phys_addr = 4ULL << 30;
	if (!KT_EXPECT_OK(t, e->v.ops->set_region(&e->v, e->vm, &ro)) ||
	    !KT_EXPECT_OK(t, e->v.ops->guest_write(&e->v, e->vm, 4ULL << 30,
						   &zaps, 8)))
		return;
	push(e, fault((4ULL << 30) + 8, false));
	alloc_fail_nth(hv_pool, 1);
	r = run(e);
	alloc_fail_nth(hv_pool, 0);
	KT_EXPECT_ERRNO(t, r, ENOMEM);
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MEMORY_FAULT);
	KT_EXPECT_EQ(t, e->x.memory_fault.gpa, 4ULL << 30);
	KT_EXPECT_EQ(t, e->x.memory_fault.size, PAGE_SIZE);
	KT_EXPECT_EQ(t, e->x.memory_fault.flags, 0);
}

/* HLT is stepped over before the case sees it; SHUTDOWN, exceptions and
 * the backend's internal errors reach the case with the backend's view. */
EXIT_CASE(vcpu_exit_other_kinds, GMV_VM_DEFAULT, io_code)
{
	struct arch_exit x = kind(ARCH_EXIT_INTERNAL, 0x1234);
	u64 dumps = arch_script_dumps();

	/* The backend dumps the vCPU for SHUTDOWN and INTERNAL_ERROR only. */
	push(e, kind(ARCH_EXIT_HLT, 0x78))->x.insn_len = 2;
	if (KT_EXPECT_OK(t, run(e)))
		KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA + 2);
	KT_EXPECT_EQ(t, arch_script_dumps(), dumps);
	push(e, kind(ARCH_EXIT_SHUTDOWN, 0x7f))->x.info1 = 9;
	if (KT_EXPECT_OK(t, run(e))) {
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_SHUTDOWN);
		KT_EXPECT_EQ(t, e->x.other.code, 0x7f);
		KT_EXPECT_EQ(t, e->x.other.info1, 9);
		KT_EXPECT_EQ(t, e->x.other.rip, CODE_GPA + 2);
	}
	KT_EXPECT_EQ(t, arch_script_dumps(), dumps + 1);
	push(e, exception(X86_VEC_PF))->x.info2 = 0xdead000;
	if (KT_EXPECT_OK(t, run(e))) {
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_SHUTDOWN);
		KT_EXPECT_EQ(t, e->x.other.code, 0x4e);
		KT_EXPECT_EQ(t, e->x.other.info2, 0xdead000);
	}
	x.why = "backend trouble";
	push(e, x);
	if (KT_EXPECT_OK(t, run(e))) {
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
		KT_EXPECT_EQ(t, e->x.other.code, 0x1234);
	}
	KT_EXPECT_EQ(t, arch_script_dumps(), dumps + 3);
	/* The backend's own errors end the run as they are. */
	KT_EXPECT_ERRNO(t, run(e), ERANGE);
	KT_EXPECT_EQ(t, arch_script_dumps(), dumps + 3);
}

static const u8 store_code[] = {
	0x89, 0x0b, /* mov [rbx], ecx */
	0x90,
};

/* An MMIO store owes the guest nothing back: the next run moves RIP past
 * the MOV and leaves its source register whole. */
EXIT_CASE(vcpu_exit_mmio_store_leaves_source, GMV_VM_DEFAULT, store_code)
{
	set(push(e, fault(MMIO_GPA, true)), ARCH_REG_RCX,
	    0xffffffff12345678ULL);
	if (!KT_EXPECT_OK(t, run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MMIO))
		return;
	KT_EXPECT_EQ(t, e->x.mmio.len, 4);
	KT_EXPECT_EQ(t, e->x.mmio.data, 0x12345678);
	e->x.mmio.data = 0xabcd;
	if (run_to_hlt(t, e, CODE_GPA + 2))
		KT_EXPECT_EQ(t, get(e, ARCH_REG_RCX), 0xffffffff12345678ULL);
}

static const u8 ud2_code[] = {
	0x0f, 0x0b, /* ud2 */
	0x90,
};

/* An MMIO fault at an instruction the decoder knows that is no MOV: len 0,
 * nothing owed, so the next run leaves RIP and registers alone. */
EXIT_CASE(vcpu_exit_mmio_fault_at_other_instruction, GMV_VM_DEFAULT, ud2_code)
{
	push(e, fault(MMIO_GPA, false));
	if (!KT_EXPECT_OK(t, run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MMIO))
		return;
	KT_EXPECT_EQ(t, e->x.mmio.len, 0);
	put(e, ARCH_REG_RAX, 0x1111);
	e->x.mmio.data = 0x2222;
	if (run_to_hlt(t, e, CODE_GPA))
		KT_EXPECT_EQ(t, get(e, ARCH_REG_RAX), 0x1111);
	/* A hypercall exit whose instruction (the UD2, which decodes) is
	 * neither VMMCALL nor VMGEXIT: the backend is confused, an internal
	 * error. */
	set(push(e, kind(ARCH_EXIT_HYPERCALL, 0x81)), ARCH_REG_RIP, CODE_GPA);
	if (KT_EXPECT_OK(t, run(e)))
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
}

/* A scripted vCPU runs only once entered, and entering again starts from
 * the entry state: registers set before are gone. */
EXIT_CASE(vcpu_exit_enter_before_run, GMV_VM_DEFAULT, io_code)
{
	struct vmm_entry entry = {
		.rip = CODE_GPA, .rsp = STACK_TOP, .cr3 = 0x1000};
	int c2 = e->v.ops->create_vcpu(&e->v, e->vm);
	struct npt *npt;

	if (!KT_EXPECT_GE(t, c2, 0))
		return;
	KT_EXPECT_ERRNO(t, e->v.ops->vcpu_run(&e->v, c2, &e->x), EINVAL);
	/* Even with a flush owed (planted): the vCPU never entered is the
	 * case's error; the audit is for vCPUs that would enter. */
	npt = (struct npt *)arch_script_npt(vm_arch_vm(e->obj));
	npt->flush_owed = true;
	KT_EXPECT_ERRNO(t, e->v.ops->vcpu_run(&e->v, c2, &e->x), EINVAL);
	KT_EXPECT_ERRNO(t, run(e), EIO);
	npt->flush_owed = false;
	/* A backend with no script to run says so. */
	arch_script_set(NULL, NULL);
	KT_EXPECT_ERRNO(t, run(e), EIO);
	arch_script_set(next_exit, e);
	put(e, ARCH_REG_RAX, 0x1234);
	KT_EXPECT_OK(t, e->v.ops->vcpu_enter(&e->v, e->vcpu, &entry));
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RAX), 0);
	KT_EXPECT_EQ(t, get(e, ARCH_REG_RIP), CODE_GPA);
}

/* At most ARCH_MAX_VCPUS vCPUs a VM (EINVAL), a missing timer still
 * ENODEV there; a vCPU that cannot get its memory (ours or the
 * backend's) fails with nothing held. */
static void vcpu_exit_vcpu_limits_and_failures(struct kt *t)
{
	const struct deadline_timer *tm = deadline_timer();
	struct deadline_timer saved = tm ? *tm : (struct deadline_timer){0};
	const struct arch_ops *old = arch_use(&arch_script_ops);
	struct vmm_native st = {0};
	struct vmm v = VMM_NATIVE_INIT(st);
	struct kmalloc_stats before, after;
	int vm, r, failures = 0, held = 0;

	fake_timer(FAR);
	vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);
	if (KT_EXPECT_GE(t, vm, 0)) {
		for (u64 n = 1; n < 16; n++) {
			kmalloc_get_stats(&before);
			kmalloc_fail_nth(n);
			r = v.ops->create_vcpu(&v, vm);
			kmalloc_fail_nth(0);
			if (r >= 0)
				break;
			KT_EXPECT_ERRNO(t, r, ENOMEM);
			kmalloc_get_stats(&after);
			failures++;
			held += after.objects != before.objects;
		}
		KT_EXPECT_GE(t, failures, 2);
		KT_EXPECT_EQ(t, held, 0);
		for (int i = 1; i < ARCH_MAX_VCPUS; i++)
			KT_EXPECT_GE(t, v.ops->create_vcpu(&v, vm), 0);
		KT_EXPECT_ERRNO(t, v.ops->create_vcpu(&v, vm), EINVAL);
		deadline_timer_register(NULL);
		KT_EXPECT_ERRNO(t, v.ops->create_vcpu(&v, vm), ENODEV);
	}
	v.ops->reset(&v);
	KT_EXPECT_OK(t, v.ops->check(&v));
	arch_use(old);
	deadline_timer_register(tm ? &saved : NULL);
}

/* vCPUs need a backend and a deadline timer: without either they are
 * refused, and lacks() says why. */
static void vcpu_exit_vcpus_need_backend_and_timer(struct kt *t)
{
	const struct deadline_timer *tm = deadline_timer();
	struct deadline_timer saved = tm ? *tm : (struct deadline_timer){0};
	const struct arch_ops *old = arch_use(&arch_script_ops);
	struct vmm_native st = {0};
	struct vmm v = VMM_NATIVE_INIT(st);
	int vm;

	deadline_timer_register(NULL);
	vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);
	KT_EXPECT_STR_EQ(t, v.ops->lacks(&v, VMM_FEAT_VCPU),
			 "no deadline timer for the run time limit");
	if (KT_EXPECT_GE(t, vm, 0))
		KT_EXPECT_ERRNO(t, v.ops->create_vcpu(&v, vm), ENODEV);
	fake_timer(FAR);
	KT_EXPECT(t, v.ops->lacks(&v, VMM_FEAT_VCPU) == NULL);
	if (vm >= 0)
		KT_EXPECT_GE(t, v.ops->create_vcpu(&v, vm), 0);
	/* A VM made while no backend ran keeps none. */
	arch_use(old);
	vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);
	arch_use(&arch_script_ops);
	if (KT_EXPECT_GE(t, vm, 0))
		KT_EXPECT_ERRNO(t, v.ops->create_vcpu(&v, vm), ENODEV);
	v.ops->reset(&v);
	KT_EXPECT_OK(t, v.ops->check(&v));
	arch_use(old);
	deadline_timer_register(tm ? &saved : NULL);
}

/* A guest spinning with IF clear is stopped by the run limit unless the
 * platform said it is Bochs and the backend is SVM, whose defect
 * (hv/vcpu.h) the reason names; without vCPUs that reason comes first. */
static void vcpu_exit_intr_if_clear_lacks_only_on_bochs_svm(struct kt *t)
{
	const struct deadline_timer *tm = deadline_timer();
	struct deadline_timer saved = tm ? *tm : (struct deadline_timer){0};
	struct arch_ops svm_named = arch_script_ops;
	const struct arch_ops *old = arch_use(&arch_script_ops);
	struct vmm_native st = {0};
	struct vmm v = VMM_NATIVE_INIT(st);
	const char *why;

	svm_named.name = "svm";
	fake_timer(FAR);
	KT_EXPECT(t, v.ops->lacks(&v, VMM_FEAT_INTR_IF_CLEAR) == NULL);
	vcpu_set_bochs(true);
	/* Bochs with another backend (its Intel models' VMX) is not hit. */
	KT_EXPECT(t, v.ops->lacks(&v, VMM_FEAT_INTR_IF_CLEAR) == NULL);
	arch_use(&svm_named);
	why = v.ops->lacks(&v, VMM_FEAT_INTR_IF_CLEAR);
	KT_EXPECT(t, why && !strncmp(why, "Bochs SVM defect", 16));
	KT_EXPECT(t, v.ops->lacks(&v, VMM_FEAT_VCPU) == NULL);
	deadline_timer_register(NULL);
	KT_EXPECT_STR_EQ(t, v.ops->lacks(&v, VMM_FEAT_INTR_IF_CLEAR),
			 "no deadline timer for the run time limit");
	vcpu_set_bochs(false);
	fake_timer(FAR);
	KT_EXPECT(t, v.ops->lacks(&v, VMM_FEAT_INTR_IF_CLEAR) == NULL);
	v.ops->reset(&v);
	arch_use(old);
	deadline_timer_register(tm ? &saved : NULL);
}

static const struct kt_case vcpu_exit_cases[] = {
	KT_CASE(vcpu_exit_intr_if_clear_lacks_only_on_bochs_svm),
	KT_CASE(vcpu_exit_mmio_fault_at_other_instruction),
	KT_CASE(vcpu_exit_mmio_store_leaves_source),
	KT_CASE(vcpu_exit_enter_before_run),
	KT_CASE(vcpu_exit_vcpu_limits_and_failures),
	KT_CASE(vcpu_exit_port_io_completes),
	KT_CASE(vcpu_exit_completion_respects_moved_rip),
	KT_CASE(vcpu_exit_hypercall_abi),
	KT_CASE(vcpu_exit_vmcall_is_a_hypercall),
	KT_CASE(vcpu_exit_ud_at_a_hypercall_is_the_hypercall),
	KT_CASE(vcpu_exit_mmio_store_and_load),
	KT_CASE(vcpu_exit_mmio_prefers_the_exits_bytes),
	KT_CASE(vcpu_exit_repeat_fault_guard),
	KT_CASE(vcpu_exit_intr_ends_run_at_deadline),
	KT_CASE(vcpu_exit_resumed_exits_keep_deadline),
	KT_CASE(vcpu_exit_cc_instructions_not_emulated),
	KT_CASE(vcpu_exit_cc_model_takes_guest_requests),
	KT_CASE(vcpu_exit_private_from_exit_or_attribute),
	KT_CASE(vcpu_exit_prepare_before_the_mapping),
	KT_CASE(vcpu_exit_nested_faults_map_what_vm_fault_gives),
	KT_CASE(vcpu_exit_other_kinds),
	KT_CASE(vcpu_exit_vcpus_need_backend_and_timer),
};

const struct kt_suite vcpu_exit_suite = KT_SUITE("vcpu_exit", vcpu_exit_cases);
