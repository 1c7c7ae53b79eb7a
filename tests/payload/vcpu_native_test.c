// SPDX-License-Identifier: MIT
/*
 * tests/payload/vcpu_native_test.c - native vCPUs end to end under QEMU:
 * a hand-assembled guest in a SW_PROTECTED VM, driven only through the
 * VMM interface (hv/vmm.h) of the native backend. One guest walks the
 * paths of the run loop and the exit policy (hv/vcpu.c, vcpu_exit.c) in
 * order: a private access faulted in from gmem as a 2 MiB NPT page;
 * KVM_HC_MAP_GPA_RANGE to the case, which flips the attribute (zap, one
 * flush, audited at entry); the shared access that follows; a private
 * access outside gmem (memory-fault exit); a GPA with no memslot (MMIO
 * exit, completed on re-entry). A guest that spins meets the run's time
 * limit (the APIC deadline timer).
 */
#include "boot/apic_deadline.h"
#include "boot/tsc.h"
#include "hv/alloc.h"
#include "hv/deadline.h"
#include "hv/vcpu.h"
#include "hv/vm.h"
#include "hv/vmm_native.h"
#include "hv/x86/insn_decode.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/suites.h"

#define CODE_GPA 0x10000ULL
#define STACK_TOP 0x20000ULL
#define GMEM_GPA 0x200000ULL	/* slot 1: 2 MiB of gmem */
#define PLAIN_GPA 0x400000ULL	/* slot 2: 2 MiB of ordinary memory */
#define NO_SLOT_GPA 0x800010ULL /* no memslot */
#define SPIN_GPA 0x18000ULL
#define PORT 0x1234
#define MAGIC 0x0123456789abcdefULL

/* rdi = GMEM_GPA, rsi = MAGIC. */
static const u8 guest[] = {
	0xba, 0x34, 0x12, 0x00, 0x00,		  /* mov edx, 0x1234 */
	0x48, 0x8b, 0x07,			  /* mov rax, [rdi] */
	0xef,					  /* out dx, eax (1) */
	0x48, 0x89, 0x77, 0x08,			  /* mov [rdi + 8], rsi */
	0x48, 0x8b, 0x47, 0x08,			  /* mov rax, [rdi + 8] */
	0xef,					  /* out dx, eax (2) */
	0x48, 0x89, 0xfb,			  /* mov rbx, rdi */
	0xb9, 0x00, 0x02, 0x00, 0x00,		  /* mov ecx, 512 */
	0x31, 0xd2,				  /* xor edx, edx */
	0xb8, 0x0c, 0x00, 0x00, 0x00,		  /* mov eax, 12 */
	0x0f, 0x01, 0xd9,			  /* vmmcall */
	0x49, 0x89, 0xc4,			  /* mov r12, rax */
	0xba, 0x34, 0x12, 0x00, 0x00,		  /* mov edx, 0x1234 */
	0x48, 0x8b, 0x47, 0x08,			  /* mov rax, [rdi + 8] */
	0xef,					  /* out dx, eax (3) */
	0x48, 0x8b, 0x87, 0x00, 0x00, 0x20, 0x00, /* mov rax, [rdi + 2M] */
	0xef,					  /* out dx, eax (4) */
	0x89, 0xb7, 0x10, 0x00, 0x60, 0x00,	  /* mov [rdi + 6M + 16], esi */
	0xef,					  /* out dx, eax (5) */
};

struct native_env {
	struct vmm_native st;
	struct vmm v;
	int vm, gmem, vcpu;
	struct vm *obj;
	struct vmm_exit x;
};

static const char *no_vcpus(struct kt *t)
{
	return vcpu_lacks();
}

/* The spinning guest runs with IF clear: only a machine whose timer
 * interrupt ends such a run can stop it (hv/vcpu.h). */
static const char *no_intr_if_clear(struct kt *t)
{
	return vcpu_intr_if_clear_lacks();
}

/*
 * Write hand-assembled guest code with the hypercall instruction of the
 * backend that runs it: each VMMCALL (0F 01 D9 without an F2/F3 prefix,
 * which would make it VMGEXIT) becomes VMCALL (0F 01 C1, the same
 * length) under VMX, as the guest runtime chooses (guest-tests/lib/
 * guest.h). The code arrays here have no such bytes elsewhere.
 */
static int put_code(struct native_env *e, u64 gpa, const u8 *code, size_t n)
{
	const struct arch_ops *a = arch_select();
	u8 buf[128];

	if (n > sizeof(buf))
		return -EINVAL;
	memcpy(buf, code, n);
	for (size_t i = 0; a && !strcmp(a->name, "vmx") && i + 3 <= n; i++)
		if (buf[i] == 0x0f && buf[i + 1] == 0x01 && buf[i + 2] == 0xd9 &&
		    (!i || (buf[i - 1] != 0xf3 && buf[i - 1] != 0xf2)))
			buf[i + 2] = 0xc1;
	return e->v.ops->guest_write(&e->v, e->vm, gpa, buf, n);
}

static int region(struct native_env *e, u32 slot, u32 flags, u64 gpa,
		  u64 size, int gmem)
{
	struct vmm_region r = { .slot = slot, .flags = flags,
				.guest_phys_addr = gpa, .memory_size = size,
				.guest_memfd = gmem };

	return e->v.ops->set_region(&e->v, e->vm, &r);
}

/* Low memory with identity page tables (2 MiB pages up to 1 GiB), the
 * guest code, the gmem slot and the ordinary slot. */
static bool env_open(struct kt *t, struct native_env *e)
{
	const struct vmm_ops *o;
	struct vmm_entry entry = { .rip = CODE_GPA, .rsp = STACK_TOP,
				   .cr3 = 0x1000, .arg0 = GMEM_GPA,
				   .arg1 = MAGIC };
	u64 pte;

	memset(e, 0, sizeof(*e));
	e->v = (struct vmm)VMM_NATIVE_INIT(e->st);
	o = e->v.ops;
	e->vm = o->create_vm(&e->v, GMV_VM_SW_PROTECTED);
	if (!KT_EXPECT_GE(t, e->vm, 0) ||
	    !KT_EXPECT_OK(t, region(e, 0, 0, 0, SZ_2M, 0)))
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
	if (!KT_EXPECT_OK(t, put_code(e, CODE_GPA, guest,
					    sizeof(guest))))
		return false;
	e->gmem = o->create_gmem(&e->v, e->vm, SZ_2M, 0);
	if (!KT_EXPECT_GE(t, e->gmem, 0) ||
	    !KT_EXPECT_OK(t, region(e, 1, GMV_MEM_GUEST_MEMFD, GMEM_GPA,
				    SZ_2M, e->gmem)) ||
	    !KT_EXPECT_OK(t, region(e, 2, 0, PLAIN_GPA, SZ_2M, 0)) ||
	    !KT_EXPECT_OK(t, o->set_attributes(&e->v, e->vm, GMEM_GPA, SZ_2M,
					       GMV_MEMORY_ATTRIBUTE_PRIVATE,
					       0)))
		return false;
	e->vcpu = o->create_vcpu(&e->v, e->vm);
	return KT_EXPECT_GE(t, e->vcpu, 0) &&
	       KT_EXPECT_OK(t, o->vcpu_enter(&e->v, e->vcpu, &entry));
}

static void env_close(struct kt *t, struct native_env *e)
{
	e->v.ops->reset(&e->v);
	KT_EXPECT_OK(t, e->v.ops->check(&e->v));
	KT_EXPECT_EQ(t, vm_nr_live(), 0);
}

static int run(struct native_env *e)
{
	return e->v.ops->vcpu_run(&e->v, e->vcpu, &e->x);
}

/* Run to the guest's next OUT and return its value (~0 on any other). */
static u64 next_out(struct kt *t, struct native_env *e)
{
	if (!KT_EXPECT_OK(t, run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_IO) ||
	    !KT_EXPECT_EQ(t, e->x.io.port, PORT))
		return ~0ULL;
	return e->x.io.data;
}

static void vcpu_native_private_shared_and_exits(struct kt *t)
{
	struct native_env e;
	struct vmm_regs r;
	u64 marker = 0x5151, zaps, flushes, size;
	const struct vmm_ops *o = &vmm_native_ops;

	if (!env_open(t, &e))
		goto out;

	/* (1) A private read: a zeroed gmem page, mapped as 2 MiB. */
	KT_EXPECT_EQ(t, next_out(t, &e), 0);
	if (KT_EXPECT_OK(t, o->guest_mapping(&e.v, e.vm, GMEM_GPA, &size)))
		KT_EXPECT_EQ(t, size, SZ_2M);
	/* (2) The private page keeps what the guest wrote. */
	KT_EXPECT_EQ(t, next_out(t, &e), MAGIC & 0xffffffff);

	/* MAP_GPA_RANGE(GMEM_GPA, 512 pages, shared) reaches the case. */
	if (!KT_EXPECT_OK(t, run(&e)) ||
	    !KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_HYPERCALL))
		goto out;
	KT_EXPECT_EQ(t, e.x.hypercall.nr, GMV_HC_MAP_GPA_RANGE);
	KT_EXPECT_EQ(t, e.x.hypercall.args[0], GMEM_GPA);
	KT_EXPECT_EQ(t, e.x.hypercall.args[1], 512);
	KT_EXPECT_EQ(t, e.x.hypercall.args[2], GMV_MAP_GPA_RANGE_DECRYPTED);
	zaps = vm_zaps(e.obj)->nr_zaps;
	flushes = vm_zaps(e.obj)->nr_flushes;
	KT_EXPECT_OK(t, o->set_attributes(&e.v, e.vm, GMEM_GPA, SZ_2M, 0, 0));
	/* One zap of the range, one flush, and the mapping is gone (the
	 * next entry's flush audit proves the flush reached the NPT). */
	KT_EXPECT_EQ(t, vm_zaps(e.obj)->nr_zaps, zaps + 1);
	KT_EXPECT_EQ(t, vm_zaps(e.obj)->nr_flushes, flushes + 1);
	KT_EXPECT_ERRNO(t, o->guest_mapping(&e.v, e.vm, GMEM_GPA, &size),
			ENOENT);
	KT_EXPECT_OK(t, o->guest_write(&e.v, e.vm, GMEM_GPA + 8, &marker, 8));
	e.x.hypercall.ret = 0;

	/* (3) The shared access reaches the slot's own memory. */
	KT_EXPECT_EQ(t, next_out(t, &e), marker);
	o->vcpu_get_regs(&e.v, e.vcpu, &r);
	KT_EXPECT_EQ(t, r.r12, 0);

	/* (4) PRIVATE outside gmem: a memory-fault exit, like KVM. */
	KT_EXPECT_OK(t, o->set_attributes(&e.v, e.vm, PLAIN_GPA, PAGE_SIZE,
					  GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT_ERRNO(t, run(&e), EFAULT);
	KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_MEMORY_FAULT);
	KT_EXPECT_EQ(t, e.x.memory_fault.gpa, PLAIN_GPA);
	KT_EXPECT_EQ(t, e.x.memory_fault.size, PAGE_SIZE);
	KT_EXPECT_EQ(t, e.x.memory_fault.flags, GMV_MEMORY_EXIT_FLAG_PRIVATE);
	/* The case makes it shared; the guest's retry then goes through. */
	KT_EXPECT_OK(t, o->set_attributes(&e.v, e.vm, PLAIN_GPA, PAGE_SIZE, 0,
					  0));
	KT_EXPECT_EQ(t, next_out(t, &e), 0);

	/* (5) No memslot: MMIO with the store's size, then the guest goes
	 * on past the store. */
	if (!KT_EXPECT_OK(t, run(&e)) ||
	    !KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_MMIO))
		goto out;
	KT_EXPECT_EQ(t, e.x.mmio.gpa, NO_SLOT_GPA);
	KT_EXPECT_EQ(t, e.x.mmio.len, 4);
	KT_EXPECT_EQ(t, e.x.mmio.is_write, true);
	KT_EXPECT_EQ(t, e.x.mmio.data, MAGIC & 0xffffffff);
	KT_EXPECT_EQ(t, next_out(t, &e), 0);
	o->vcpu_get_regs(&e.v, e.vcpu, &r);
	KT_EXPECT_EQ(t, r.rip, CODE_GPA + sizeof(guest) - 1);
	KT_EXPECT_OK(t, o->check(&e.v));
out:
	env_close(t, &e);
}

static void vcpu_native_handles(struct kt *t)
{
	struct native_env e;
	struct vmm_regs r;
	struct vmm_exit x;
	const struct vmm_ops *o = &vmm_native_ops;

	if (!env_open(t, &e))
		goto out;

	/* vCPU calls want a vCPU handle, VM calls a VM handle. */
	KT_EXPECT_ERRNO(t, o->vcpu_run(&e.v, e.vm, &x), ENOTTY);
	KT_EXPECT_ERRNO(t, o->vcpu_get_regs(&e.v, e.gmem, &r), ENOTTY);
	KT_EXPECT_ERRNO(t, o->vcpu_run(&e.v, 999, &x), EBADF);
	KT_EXPECT_ERRNO(t, o->set_attributes(&e.v, e.vcpu, 0, PAGE_SIZE, 0,
					     0),
			EINVAL);
	/* The vCPU keeps its VM alive after the VM handle is closed, and
	 * the VM goes with the last reference. */
	KT_EXPECT_OK(t, o->close(&e.v, e.vm));
	KT_EXPECT_EQ(t, next_out(t, &e), 0);
	KT_EXPECT_OK(t, o->close(&e.v, e.gmem));
	KT_EXPECT_EQ(t, vm_nr_live(), 1);
	KT_EXPECT_OK(t, o->close(&e.v, e.vcpu));
	KT_EXPECT_EQ(t, vm_nr_live(), 0);
out:
	env_close(t, &e);
}

/*
 * A guest that spins (jmp $) makes no exit: the run ends with -EINTR and
 * KVM_EXIT_INTR once VMM_RUN_LIMIT_MS have passed, through the deadline
 * timer's interrupt, as on Linux. The vCPU then runs a well-behaved guest
 * as before.
 */
static void vcpu_native_spin_meets_the_time_limit(struct kt *t)
{
	static const u8 spin[] = { 0xeb, 0xfe }; /* jmp $ */
	const struct deadline_timer *tm = deadline_timer();
	struct vmm_entry at_spin = { .rip = SPIN_GPA, .rsp = STACK_TOP,
				     .cr3 = 0x1000 };
	struct vmm_entry at_code = { .rip = CODE_GPA, .rsp = STACK_TOP,
				     .cr3 = 0x1000, .arg0 = GMEM_GPA,
				     .arg1 = MAGIC };
	const struct vmm_ops *o = &vmm_native_ops;
	struct native_env e;
	u64 t0, ms, irqs = apic_deadline_irqs();

	KT_ASSERT(t, tm != NULL);
	if (!env_open(t, &e) ||
	    !KT_EXPECT_OK(t, put_code(&e, SPIN_GPA, spin,
					    sizeof(spin))) ||
	    !KT_EXPECT_OK(t, o->vcpu_enter(&e.v, e.vcpu, &at_spin)))
		goto out;
	t0 = deadline_now();
	KT_EXPECT_ERRNO(t, run(&e), EINTR);
	ms = (deadline_now() - t0) / tm->tsc_per_ms;
	kt_diag(t, "the spinning guest was stopped after %llu ms (limit %u ms; "
		   "%s)",
		(unsigned long long)ms, VMM_RUN_LIMIT_MS, tm->name);
	KT_EXPECT_GE(t, ms, VMM_RUN_LIMIT_MS);
	KT_EXPECT_LT(t, ms, VMM_RUN_LIMIT_MS + 1000); /* a loaded host may be late */
	KT_EXPECT_LT(t, irqs, apic_deadline_irqs());
	KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_INTR);
	KT_EXPECT_EQ(t, e.x.other.rip, SPIN_GPA);

	if (!KT_EXPECT_OK(t, o->vcpu_enter(&e.v, e.vcpu, &at_code)))
		goto out;
	KT_EXPECT_EQ(t, next_out(t, &e), 0);
	KT_EXPECT_EQ(t, next_out(t, &e), MAGIC & 0xffffffff);
out:
	env_close(t, &e);
}

/*
 * A guest that loops on a hypercall the hypervisor answers itself
 * (-KVM_ENOSYS) makes exits, but none for the case: the run must still
 * end at the time limit. The timer's interrupt is often taken by the host
 * behind one of those VMMCALL exits rather than as an INTR exit of its
 * own, so this holds only if every exit resumed in the loop checks the
 * deadline.
 */
static void vcpu_native_hypercall_loop_meets_the_time_limit(struct kt *t)
{
	static const u8 loop[] = {
		0xb8, 0x05, 0x00, 0x00, 0x00, /* mov eax, 5 */
		0x0f, 0x01, 0xd9,	      /* vmmcall */
		0xeb, 0xf6,		      /* jmp to the mov */
	};
	const struct deadline_timer *tm = deadline_timer();
	struct vmm_entry at_loop = { .rip = SPIN_GPA, .rsp = STACK_TOP,
				     .cr3 = 0x1000 };
	const struct vmm_ops *o = &vmm_native_ops;
	struct native_env e;
	struct vmm_regs r;
	u64 t0, ms;

	KT_ASSERT(t, tm != NULL);
	if (!env_open(t, &e) ||
	    !KT_EXPECT_OK(t, put_code(&e, SPIN_GPA, loop,
					    sizeof(loop))) ||
	    !KT_EXPECT_OK(t, o->vcpu_enter(&e.v, e.vcpu, &at_loop)))
		goto out;
	t0 = deadline_now();
	KT_EXPECT_ERRNO(t, run(&e), EINTR);
	ms = (deadline_now() - t0) / tm->tsc_per_ms;
	kt_diag(t, "the hypercall loop was stopped after %llu ms",
		(unsigned long long)ms);
	KT_EXPECT_GE(t, ms, VMM_RUN_LIMIT_MS);
	KT_EXPECT_LT(t, ms, VMM_RUN_LIMIT_MS + 1000);
	KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_INTR);
	o->vcpu_get_regs(&e.v, e.vcpu, &r);
	KT_EXPECT_GE(t, r.rip, SPIN_GPA);
	KT_EXPECT_LT(t, r.rip, SPIN_GPA + sizeof(loop));
out:
	env_close(t, &e);
}

/*
 * The NPT cannot take a mapping (no page for a new table): vcpu_run()
 * fails with -ENOMEM and, as hv/vcpu.h promises, a memory-fault exit at
 * the page; the guest's retry goes through once memory is back.
 */
static void vcpu_native_npt_enomem_is_a_memory_fault(struct kt *t)
{
	static const u8 code[] = {
		0xba, 0x34, 0x12, 0x00, 0x00, /* mov edx, 0x1234 */
		0xef,			      /* out dx, eax */
		0x48, 0x8b, 0x07,	      /* mov rax, [rdi] */
		0xef,			      /* out dx, eax */
	};
	const u64 far_gpa = 4ULL << 30, val = 0x600dbeef;
	struct vmm_entry at_code = { .rip = SPIN_GPA, .rsp = STACK_TOP,
				     .cr3 = 0x1000, .arg0 = far_gpa };
	const struct vmm_ops *o = &vmm_native_ops;
	u64 pdpte = 0x4000 | 7, pde = far_gpa | 0x87;
	struct native_env e;
	int ret;

	/* Slot 3 at 4 GiB; the guest reaches it through PDPT[4]. */
	if (!env_open(t, &e) ||
	    !KT_EXPECT_OK(t, region(&e, 3, 0, far_gpa, SZ_2M, 0)) ||
	    !KT_EXPECT_OK(t, o->guest_write(&e.v, e.vm, 0x2000 + 4 * 8,
					    &pdpte, 8)) ||
	    !KT_EXPECT_OK(t, o->guest_write(&e.v, e.vm, 0x4000, &pde, 8)) ||
	    !KT_EXPECT_OK(t, o->guest_write(&e.v, e.vm, far_gpa, &val, 8)) ||
	    !KT_EXPECT_OK(t, put_code(&e, SPIN_GPA, code,
					    sizeof(code))) ||
	    !KT_EXPECT_OK(t, o->vcpu_enter(&e.v, e.vcpu, &at_code)))
		goto out;
	/* Low memory is mapped now; 4 GiB needs new NPT tables. */
	KT_EXPECT_EQ(t, next_out(t, &e), 0);
	alloc_fail_nth(hv_pool, 1);
	ret = run(&e);
	alloc_fail_nth(hv_pool, 0);
	KT_EXPECT_ERRNO(t, ret, ENOMEM);
	KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_MEMORY_FAULT);
	KT_EXPECT_EQ(t, e.x.memory_fault.gpa, far_gpa);
	KT_EXPECT_EQ(t, e.x.memory_fault.size, PAGE_SIZE);
	KT_EXPECT_EQ(t, e.x.memory_fault.flags, 0);
	KT_EXPECT_EQ(t, next_out(t, &e), val);
out:
	env_close(t, &e);
}

/* Run the guest at rip (arg0 in rdi) to its next exit. */
static int run_at(struct native_env *e, u64 rip, u64 arg0)
{
	struct vmm_entry at = {
		.rip = rip, .rsp = STACK_TOP, .cr3 = 0x1000, .arg0 = arg0};
	int r = e->v.ops->vcpu_enter(&e->v, e->vcpu, &at);

	return r ? r : run(e);
}

/*
 * A guest polling an MMIO address: every load is an MMIO exit whose
 * mmio.data the next run puts in the MOV's register. Each completed load
 * is a new access, so polling never trips the repeat-fault guard.
 */
static void vcpu_native_mmio_loads_complete(struct kt *t)
{
	static const u8 poll[] = {
		0xba, 0x34, 0x12, 0x00, 0x00, /* mov edx, 0x1234 */
		0x48, 0x8b, 0x07, /* l: mov rax, [rdi] */
		0xef, /* out dx, eax */
		0xeb, 0xfa, /* jmp l */
	};
	struct native_env e;
	unsigned int i;

	if (!env_open(t, &e) ||
	    !KT_EXPECT_OK(t, put_code(&e, SPIN_GPA, poll,
					    sizeof(poll))) ||
	    !KT_EXPECT_OK(t, run_at(&e, SPIN_GPA, NO_SLOT_GPA)))
		goto out;
	for (i = 0; i < 40; i++) {
		if (!KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_MMIO) ||
		    !KT_EXPECT_EQ(t, e.x.mmio.gpa, NO_SLOT_GPA) ||
		    !KT_EXPECT_EQ(t, e.x.mmio.len, 8) ||
		    !KT_EXPECT_EQ(t, e.x.mmio.is_write, false))
			break;
		e.x.mmio.data = MAGIC + i;
		if (!KT_EXPECT_EQ(t, next_out(t, &e), (MAGIC + i) & 0xffffffff))
			break;
		if (!KT_EXPECT_OK(t, run(&e)))
			break;
	}
	KT_EXPECT_EQ(t, i, 40);
out:
	env_close(t, &e);
}

/*
 * The instructions a confidential guest would use, in a VM without a
 * model for them: PVALIDATE, RMPADJUST and TDCALL trap as #UD and end the
 * run with an internal error naming the instruction (other.info2), UD2 is
 * the guest's own #UD (a shutdown: there is no IDT), and VMGEXIT, which
 * QEMU reports as VMMCALL, is a hypercall 4 bytes long (-KVM_ENOSYS); on
 * VMX, TDCALL's own exit is decoded as that #UD, and VMGEXIT is a #UD the
 * exit policy takes as the hypercall.
 */
static void vcpu_native_cc_instructions(struct kt *t)
{
	static const u8 code[] = {
		0xf2, 0x0f, 0x01, 0xff, /* 0x00 pvalidate */
		0xf3, 0x0f, 0x01, 0xfe, /* 0x04 rmpadjust */
		0x66, 0x0f, 0x01, 0xcc, /* 0x08 tdcall */
		0x0f, 0x0b, /* 0x0c ud2 */
		0xb8, 0x63, 0x00, 0x00, 0x00, /* 0x0e mov eax, 99 */
		0xf3, 0x0f, 0x01, 0xd9, /* 0x13 vmgexit */
		0xba, 0x34, 0x12, 0x00, 0x00, /* 0x17 mov edx, 0x1234 */
		0xef, /* 0x1c out dx, eax */
	};
	static const struct {
		u64 off;
		u32 reason;
		u64 info2;
	} steps[] = {
		{0x00, GMV_EXIT_INTERNAL_ERROR, INSN_PVALIDATE},
		{0x04, GMV_EXIT_INTERNAL_ERROR, INSN_RMPADJUST},
		{0x08, GMV_EXIT_INTERNAL_ERROR, INSN_TDCALL},
		{0x0c, GMV_EXIT_SHUTDOWN, 0},
	};
	const struct vmm_ops *o = &vmm_native_ops;
	struct native_env e;
	struct vmm_regs r;

	if (!env_open(t, &e) ||
	    !KT_EXPECT_OK(t, put_code(&e, SPIN_GPA, code,
					    sizeof(code))))
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		if (!KT_EXPECT_OK(t, run_at(&e, SPIN_GPA + steps[i].off, 0)))
			break;
		KT_EXPECT_EQ(t, e.x.reason, steps[i].reason);
		KT_EXPECT_EQ(t, e.x.other.rip, SPIN_GPA + steps[i].off);
		if (steps[i].info2)
			KT_EXPECT_EQ(t, e.x.other.info2, steps[i].info2);
	}
	if (!KT_EXPECT_OK(t, run_at(&e, SPIN_GPA + 0x0e, 0)) ||
	    !KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_IO))
		goto out;
	KT_EXPECT_EQ(t, e.x.io.data, -(u64)GMV_KVM_ENOSYS & 0xffffffff);
	o->vcpu_get_regs(&e.v, e.vcpu, &r);
	KT_EXPECT_EQ(t, r.rip, SPIN_GPA + 0x1c);
out:
	env_close(t, &e);
}

/*
 * The cost of a vCPU exit through the whole native stack (hv/vmm.h):
 * BENCH_N VMMCALLs the hypervisor answers itself (-KVM_ENOSYS) inside one
 * vcpu_run, then BENCH_N OUTs that each return to this case and go in
 * again. Printed in TSC ticks and microseconds; the checks only prove
 * that every exit happened.
 */
#define BENCH_N 10000

static void print_cost(struct kt *t, const char *what, u64 ticks)
{
	u64 per = ticks / BENCH_N;
	u64 ns = tsc_khz ? per * 1000000 / tsc_khz : 0;

	kt_diag(t,
		"vcpu_run round trip, %s: %llu TSC ticks = %llu.%02llu us "
		"(%u exits)",
		what, (unsigned long long)per, (unsigned long long)(ns / 1000),
		(unsigned long long)(ns % 1000 / 10), BENCH_N);
}

static void vcpu_native_round_trip_cost(struct kt *t)
{
	static const u8 code[] = {
		0x89, 0xf9, /* mov ecx, edi */
		0xb8, 0x63, 0x00, 0x00, 0x00, /* l1: mov eax, 99 */
		0x0f, 0x01, 0xd9, /* vmmcall */
		0xff, 0xc9, /* dec ecx */
		0x75, 0xf4, /* jnz l1 */
		0x89, 0xf9, /* mov ecx, edi */
		0xba, 0x80, 0x00, 0x00, 0x00, /* mov edx, 0x80 */
		0xee, /* l2: out dx, al */
		0xff, 0xc9, /* dec ecx */
		0x75, 0xfb, /* jnz l2 */
		0xee, /* out dx, al */
	};
	const struct vmm_ops *o = &vmm_native_ops;
	struct native_env e;
	struct vmm_regs r;
	unsigned int outs = 0;
	u64 t0;
	int rc;

	if (!env_open(t, &e) ||
	    !KT_EXPECT_OK(t, put_code(&e, SPIN_GPA, code,
					    sizeof(code))))
		goto out;
	/* The VMMCALLs make no exit: on a loaded machine they may take longer
	 * than one run's limit, and a run that ends with -EINTR goes on. */
	t0 = deadline_now();
	rc = run_at(&e, SPIN_GPA, BENCH_N);
	for (int i = 0; rc == -EINTR && i < 30; i++)
		rc = run(&e);
	if (!KT_EXPECT_OK(t, rc) ||
	    !KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_IO))
		goto out;
	print_cost(t, "VMMCALL answered in the hypervisor",
		   deadline_now() - t0);
	o->vcpu_get_regs(&e.v, e.vcpu, &r);
	KT_EXPECT_EQ(t, r.rax, -(u64)GMV_KVM_ENOSYS);

	t0 = deadline_now();
	while (outs < BENCH_N && !run(&e) && e.x.reason == GMV_EXIT_IO)
		outs++;
	print_cost(t, "OUT through the case", deadline_now() - t0);
	KT_EXPECT_EQ(t, outs, BENCH_N);
	o->vcpu_get_regs(&e.v, e.vcpu, &r);
	KT_EXPECT_EQ(t, r.rip, SPIN_GPA + sizeof(code) - 1);
out:
	env_close(t, &e);
}

static const struct kt_case vcpu_native_cases[] = {
	KT_CASE_IF(vcpu_native_private_shared_and_exits, no_vcpus),
	KT_CASE_IF(vcpu_native_handles, no_vcpus),
	KT_CASE_IF(vcpu_native_spin_meets_the_time_limit, no_intr_if_clear),
	KT_CASE_IF(vcpu_native_hypercall_loop_meets_the_time_limit, no_vcpus),
	KT_CASE_IF(vcpu_native_npt_enomem_is_a_memory_fault, no_vcpus),
	KT_CASE_IF(vcpu_native_mmio_loads_complete, no_vcpus),
	KT_CASE_IF(vcpu_native_cc_instructions, no_vcpus),
	KT_CASE_IF(vcpu_native_round_trip_cost, no_vcpus),
};

const struct kt_suite vcpu_native_suite =
	KT_SUITE("vcpu_native", vcpu_native_cases);
