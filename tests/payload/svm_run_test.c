// SPDX-License-Identifier: MIT
/*
 * tests/payload/svm_run_test.c - the SVM layer on the real (QEMU TCG)
 * CPU: small hand-assembled guests under the guest environment contract,
 * run through VMRUN, checking each exit the dispatcher reports (port I/O,
 * hypercalls, VMGEXIT's length, nested faults resolved by mapping, the
 * SEV/TDX instructions behind #UD, guest exceptions), and the VMRUN round
 * trip cost printed as a diagnostic. The guest memory here is mapped by
 * hand; the gmem-backed guests run in the svm_guest suite.
 */
#include "boot/tsc.h"
#include "hv/alloc.h"
#include "hv/deadline.h"
#include "hv/svm/svm.h"
#include "hv/x86/cpu.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/suites.h"

/*
 * Guest RAM is one 2 MiB block at GPA 0. The guest's tables (PML4 0x1000,
 * PDPT 0x2000, PD 0x3000) map GVA 0 - 1 GiB 1:1 with 2 MiB pages; the NPT
 * maps only GPA 0 - 2 MiB, so anything above faults in the NPT first.
 */
#define CODE_GPA 0x10000ULL
#define STACK_TOP 0x20000ULL
#define OUT_PORT 0x1234

struct run_env {
	u8 *ram;
	struct svm_vm s;
	struct svm_vcpu *v;
	struct vmm_exit x;
	struct svm_npf npf;
	bool vm_up;
};

static const char *no_svm(struct kt *t)
{
	return svm_cpu_lacks();
}

static bool env_open(struct kt *t, struct run_env *e, const u8 *code,
		     size_t n, u64 arg0, u64 arg1)
{
	struct vmm_entry entry = { .rip = CODE_GPA, .rsp = STACK_TOP,
				   .cr3 = 0x1000, .arg0 = arg0, .arg1 = arg1 };
	u64 *pd;

	memset(e, 0, sizeof(*e));
	e->ram = alloc_pages(hv_pool, 9, OWN_TEST);
	if (!KT_EXPECT(t, e->ram != NULL))
		return false;
	((u64 *)(e->ram + 0x1000))[0] = 0x2000 | 7;
	((u64 *)(e->ram + 0x2000))[0] = 0x3000 | 7;
	pd = (u64 *)(e->ram + 0x3000);
	for (u64 i = 0; i < 512; i++)
		pd[i] = (i << 21) | 0x87;
	memcpy(e->ram + CODE_GPA, code, n);
	if (!KT_EXPECT_OK(t, svm_vm_init(&e->s, GMV_VM_DEFAULT)))
		return false;
	e->vm_up = true;
	return KT_EXPECT_OK(t, svm_vm_map(&e->s, 0, (phys_addr_t)e->ram, 9,
					  true)) &&
	       KT_EXPECT_OK(t, svm_vcpu_create(&e->s, &e->v)) &&
	       KT_EXPECT_OK(t, svm_vcpu_enter(e->v, &entry));
}

static void env_close(struct run_env *e)
{
	if (e->vm_up)
		svm_vm_destroy(&e->s);
	if (e->ram)
		free_pages(hv_pool, e->ram, 9, OWN_TEST);
}

/* Complete what the last exit owes, then run to the next exit. */
static int run(struct run_env *e)
{
	svm_complete_pending(e->v, &e->x);
	return svm_vcpu_run(e->v, deadline_after_ms(VMM_RUN_LIMIT_MS), &e->x,
			    &e->npf);
}

static bool expect_out(struct kt *t, struct run_env *e, u16 port, u8 size)
{
	return KT_EXPECT_EQ(t, run(e), SVM_TO_CASE) &&
	       KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_IO) &&
	       KT_EXPECT_EQ(t, e->x.io.port, port) &&
	       KT_EXPECT_EQ(t, e->x.io.size, size);
}

static void svm_run_io_and_hypercalls(struct kt *t)
{
	static const u8 code[] = {
		0xba, 0x34, 0x12, 0x00, 0x00,	    /* mov edx, 0x1234 */
		0x48, 0x89, 0xf8,		    /* mov rax, rdi */
		0xef,				    /* out dx, eax */
		0xed,				    /* in eax, dx */
		0x49, 0x89, 0xc4,		    /* mov r12, rax */
		0xbb, 0x00, 0x00, 0x01, 0x00,	    /* mov ebx, 0x10000 */
		0xb9, 0x02, 0x00, 0x00, 0x00,	    /* mov ecx, 2 */
		0xba, 0x10, 0x00, 0x00, 0x00,	    /* mov edx, 0x10 */
		0xb8, 0x0c, 0x00, 0x00, 0x00,	    /* mov eax, 12 */
		0x0f, 0x01, 0xd9,		    /* vmmcall */
		0x49, 0x89, 0xc5,		    /* mov r13, rax */
		0xb8, 0x63, 0x00, 0x00, 0x00,	    /* mov eax, 99 */
		0xf3, 0x0f, 0x01, 0xd9,		    /* vmgexit */
		0x49, 0x89, 0xc6,		    /* mov r14, rax */
		0xba, 0x34, 0x12, 0x00, 0x00,	    /* mov edx, 0x1234 */
		0xee,				    /* out dx, al */
	};
	struct run_env e;
	struct vmm_regs r;

	if (!env_open(t, &e, code, sizeof(code), 0xfeedf00d, 0))
		goto out;
	if (!expect_out(t, &e, OUT_PORT, 4))
		goto out;
	KT_EXPECT_EQ(t, e.x.io.in, false);
	KT_EXPECT_EQ(t, e.x.io.data, 0xfeedf00d);
	if (!expect_out(t, &e, OUT_PORT, 4))
		goto out;
	KT_EXPECT_EQ(t, e.x.io.in, true);
	e.x.io.data = 0x55aa;
	if (!KT_EXPECT_EQ(t, run(&e), SVM_TO_CASE) ||
	    !KT_EXPECT_EQ(t, e.x.reason, GMV_EXIT_HYPERCALL))
		goto out;
	KT_EXPECT_EQ(t, e.x.hypercall.nr, GMV_HC_MAP_GPA_RANGE);
	KT_EXPECT_EQ(t, e.x.hypercall.args[0], 0x10000);
	KT_EXPECT_EQ(t, e.x.hypercall.args[1], 2);
	KT_EXPECT_EQ(t, e.x.hypercall.args[2], GMV_MAP_GPA_RANGE_ENCRYPTED);
	e.x.hypercall.ret = 0x77;
	/* The VMGEXIT (4 bytes under QEMU's VMMCALL exit) stays in svm. */
	if (!expect_out(t, &e, OUT_PORT, 1))
		goto out;
	svm_vcpu_get_regs(e.v, &r);
	KT_EXPECT_EQ(t, r.r12, 0x55aa);
	KT_EXPECT_EQ(t, r.r13, 0x77);
	KT_EXPECT_EQ(t, r.r14, -(u64)SVM_KVM_ENOSYS);
	KT_EXPECT_EQ(t, r.rip, CODE_GPA + sizeof(code) - 1);
out:
	env_close(&e);
}

static void svm_run_nested_faults_map_on_demand(struct kt *t)
{
	static const u8 code[] = {
		0xba, 0x34, 0x12, 0x00, 0x00, /* mov edx, 0x1234 */
		0x48, 0x8b, 0x04, 0x25, 0x08, 0x00, 0x30, 0x00,
		/* mov rax, [0x300008] */
		0x48, 0x89, 0x34, 0x25, 0x00, 0x10, 0x30, 0x00,
		/* mov [0x301000], rsi */
		0xef, /* out dx, eax */
	};
	struct run_env e;
	u8 *pages = NULL;

	if (!env_open(t, &e, code, sizeof(code), 0, 0xabcdef12345ULL))
		goto out;
	pages = alloc_pages(hv_pool, 1, OWN_TEST);
	if (!KT_EXPECT(t, pages != NULL))
		goto out;
	((u64 *)pages)[1] = 0x1122334455667788ULL;
	/* The read: GPA 0x300008, not present, final address. */
	if (!KT_EXPECT_EQ(t, run(&e), SVM_TO_NPF))
		goto out;
	KT_EXPECT_EQ(t, e.npf.gpa, 0x300008);
	KT_EXPECT(t, !e.npf.write && !e.npf.present && !e.npf.exec);
	KT_EXPECT_OK(t, svm_vm_map(&e.s, e.npf.gpa, (phys_addr_t)pages, 0,
				   true));
	/* The write to the next page. */
	if (!KT_EXPECT_EQ(t, run(&e), SVM_TO_NPF))
		goto out;
	KT_EXPECT_EQ(t, e.npf.gpa, 0x301000);
	KT_EXPECT(t, e.npf.write);
	KT_EXPECT_OK(t, svm_vm_map(&e.s, e.npf.gpa,
				   (phys_addr_t)pages + PAGE_SIZE, 0, true));
	if (!expect_out(t, &e, OUT_PORT, 4))
		goto out;
	KT_EXPECT_EQ(t, e.x.io.data, 0x55667788);
	KT_EXPECT_EQ(t, ((u64 *)pages)[512], 0xabcdef12345ULL);
	/* Zap both: the next entry flushes the ASID (audited), and the
	 * guest's reread faults again. */
	svm_vm_zap(&e.s, 0x300000, PAGE_SIZE);
	svm_vm_zap(&e.s, 0x301000, PAGE_SIZE);
	svm_vm_flush(&e.s);
	KT_EXPECT(t, e.v->flush_pending);
	e.v->vmcb->save.rip = CODE_GPA + 5;
	if (KT_EXPECT_EQ(t, run(&e), SVM_TO_NPF))
		KT_EXPECT_EQ(t, e.npf.gpa, 0x300008);
	KT_EXPECT(t, !e.v->flush_pending);
out:
	env_close(&e);
	if (pages)
		free_pages(hv_pool, pages, 1, OWN_TEST);
}

static void svm_run_ud_and_guest_exceptions(struct kt *t)
{
	static const u8 code[] = {
		0xf2, 0x0f, 0x01, 0xff,	      /* 0x00 pvalidate */
		0xf3, 0x0f, 0x01, 0xfe,	      /* 0x04 rmpadjust */
		0x66, 0x0f, 0x01, 0xcc,	      /* 0x08 tdcall */
		0x0f, 0x0b,		      /* 0x0c ud2 */
		0xf4,			      /* 0x0e hlt: #GP at CPL3 */
		0xba, 0x00, 0x00, 0x00, 0x40, /* 0x0f mov edx, 1 GiB */
		0x48, 0x8b, 0x02,	      /* 0x14 mov rax, [rdx]: #PF */
	};
	static const struct {
		u64 off;
		u32 reason;
		u64 code, info2;
	} steps[] = {
		{ 0x00, GMV_EXIT_INTERNAL_ERROR, 0x46, INSN_PVALIDATE },
		{ 0x04, GMV_EXIT_INTERNAL_ERROR, 0x46, INSN_RMPADJUST },
		{ 0x08, GMV_EXIT_INTERNAL_ERROR, 0x46, INSN_TDCALL },
		{ 0x0c, GMV_EXIT_SHUTDOWN, 0x46, 0 },
		{ 0x0e, GMV_EXIT_SHUTDOWN, 0x4d, 0 },
		{ 0x0f, GMV_EXIT_SHUTDOWN, 0x4e, 0x40000000 },
	};
	struct run_env e;

	if (!env_open(t, &e, code, sizeof(code), 0, 0))
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		struct vmm_entry entry = { .rip = CODE_GPA + steps[i].off,
					   .rsp = STACK_TOP, .cr3 = 0x1000 };

		svm_vcpu_enter(e.v, &entry);
		if (!KT_EXPECT_EQ(t, run(&e), SVM_TO_CASE))
			break;
		KT_EXPECT_EQ(t, e.x.reason, steps[i].reason);
		KT_EXPECT_EQ(t, e.x.other.code, steps[i].code);
		KT_EXPECT_EQ(t, e.x.other.info2, steps[i].info2);
		KT_EXPECT_GE(t, e.x.other.rip, CODE_GPA + steps[i].off);
		kt_diag(t, "%s", e.v->why);
	}
out:
	env_close(&e);
}

/*
 * VMRUN round trips: N VMMCALLs handled inside svm_vcpu_run() (exit,
 * dispatch, re-entry), then N OUTs that each go back to this case and in
 * again. Printed in TSC ticks and microseconds; the checks only prove that
 * every exit happened.
 */
#define BENCH_N 10000

static void print_cost(struct kt *t, const char *what, u64 ticks)
{
	u64 per = ticks / BENCH_N;
	u64 ns = tsc_khz ? per * 1000000 / tsc_khz : 0;

	kt_diag(t, "VMRUN round trip, %s: %llu TSC ticks = %llu.%02llu us "
		   "(tsc_khz %llu, %u exits)",
		what, (unsigned long long)per, (unsigned long long)(ns / 1000),
		(unsigned long long)(ns % 1000 / 10),
		(unsigned long long)tsc_khz, BENCH_N);
}

static void svm_run_round_trip_cost(struct kt *t)
{
	static const u8 code[] = {
		0x89, 0xf9,			/* mov ecx, edi */
		0xb8, 0x63, 0x00, 0x00, 0x00,	/* l1: mov eax, 99 */
		0x0f, 0x01, 0xd9,		/* vmmcall */
		0xff, 0xc9,			/* dec ecx */
		0x75, 0xf4,			/* jnz l1 */
		0x89, 0xf9,			/* mov ecx, edi */
		0xba, 0x80, 0x00, 0x00, 0x00,	/* mov edx, 0x80 */
		0xee,				/* l2: out dx, al */
		0xff, 0xc9,			/* dec ecx */
		0x75, 0xfb,			/* jnz l2 */
		0xee,				/* out dx, al */
	};
	struct run_env e;
	u64 t0, exits;
	unsigned int outs = 0;

	if (!env_open(t, &e, code, sizeof(code), BENCH_N, 0))
		goto out;
	exits = e.v->nr_exits;
	t0 = rdtsc();
	if (!expect_out(t, &e, 0x80, 1))
		goto out;
	print_cost(t, "VMMCALL handled in svm", rdtsc() - t0);
	KT_EXPECT_EQ(t, e.v->nr_exits - exits, BENCH_N + 1);

	t0 = rdtsc();
	while (outs < BENCH_N && run(&e) == SVM_TO_CASE &&
	       e.x.reason == GMV_EXIT_IO)
		outs++;
	print_cost(t, "OUT through the case", rdtsc() - t0);
	KT_EXPECT_EQ(t, outs, BENCH_N);
	KT_EXPECT_EQ(t, e.v->vmcb->save.rip, CODE_GPA + sizeof(code) - 1);
out:
	env_close(&e);
}

static const struct kt_case svm_run_cases[] = {
	KT_CASE_IF(svm_run_io_and_hypercalls, no_svm),
	KT_CASE_IF(svm_run_nested_faults_map_on_demand, no_svm),
	KT_CASE_IF(svm_run_ud_and_guest_exceptions, no_svm),
	KT_CASE_IF(svm_run_round_trip_cost, no_svm),
};

const struct kt_suite svm_run_suite = KT_SUITE("svm_run", svm_run_cases);
