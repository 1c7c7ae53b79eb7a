// SPDX-License-Identifier: MIT
/*
 * tests/payload/svm_run_test.c - the SVM backend on the real (QEMU TCG or
 * Bochs) CPU: small hand-assembled guests under the guest environment
 * contract, run through VMRUN one exit at a time, checking what
 * svm_vcpu_run() decodes (port I/O with its length, hypercalls, VMGEXIT
 * reported as VMMCALL, nested faults resolved by mapping, the SEV/TDX
 * instructions behind #UD, guest exceptions), with this case doing what
 * the exit policy would; the optional SVM features where the CPU has them
 * (next_rip lengths, FlushByAsid after a remap, decode-assist bytes, VMCB
 * clean bits), each proven used by the vCPU's counters (struct
 * svm_feat_stats) and skipped naming the CPUID bit where it is absent;
 * the deadline= watchdog's NMIs taken by the host from inside a
 * guest; and the VMRUN round trip cost printed as a diagnostic. The guest
 * memory here is mapped by hand; the guests the exit policy runs are in
 * the vcpu_native and guest_native suites.
 */
#include "boot/nmi_watchdog.h"
#include "boot/tsc.h"
#include "hv/alloc.h"
#include "hv/svm/svm.h"
#include "hv/x86/cpu.h"
#include "hv/x86/insn_decode.h"
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
	struct arch_exit x;
	bool vm_up;
};

static const char *no_svm(struct kt *t)
{
	return svm_cpu_lacks();
}

static bool has(u32 feature)
{
	return svm_cpu_features() & feature;
}

/* SVM, and the optional feature a case is about (hv/svm/svm_cpu.h). */
static const char *lacks(u32 feature, const char *why)
{
	return svm_cpu_lacks() ?: has(feature) ? NULL : why;
}

static const char *no_nrips(struct kt *t)
{
	return lacks(SVM_FEAT_NRIPS,
		     "CPU lacks NRIPS: CPUID 8000_000A EDX bit 3 clear");
}

static const char *no_flush_by_asid(struct kt *t)
{
	return lacks(SVM_FEAT_FLUSH_BY_ASID,
		     "CPU lacks FlushByAsid: CPUID 8000_000A EDX bit 6 clear");
}

static const char *no_decode_assists(struct kt *t)
{
	return lacks(SVM_FEAT_DECODE_ASSISTS, "CPU lacks DecodeAssists: "
					      "CPUID 8000_000A EDX bit 7 clear");
}

static const char *no_clean_bits(struct kt *t)
{
	return lacks(SVM_FEAT_VMCB_CLEAN, "CPU lacks VMCB clean bits: "
					  "CPUID 8000_000A EDX bit 5 clear");
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

static int run(struct run_env *e)
{
	return svm_vcpu_run(e->v, &e->x);
}

static u64 reg(struct run_env *e, enum arch_reg r)
{
	return svm_vcpu_get_reg(e->v, r);
}

/* Step over the exit's instruction: its reported length, else the
 * length of what the guest's bytes decode to (GVA = GPA here). */
static u8 step_over(struct kt *t, struct run_env *e)
{
	struct insn in = {.len = e->x.insn_len};

	if (!in.len)
		KT_EXPECT_OK(t,
			     insn_decode(e->ram + e->x.rip, INSN_MAX_LEN, &in));
	svm_vcpu_complete(e->v, e->x.rip + in.len);
	return in.len;
}

static bool expect_out(struct kt *t, struct run_env *e, u16 port, u8 size)
{
	return KT_EXPECT_OK(t, run(e)) &&
	       KT_EXPECT_EQ(t, e->x.kind, ARCH_EXIT_IO) &&
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

	if (!env_open(t, &e, code, sizeof(code), 0xfeedf00d, 0))
		goto out;
	/* OUT: EXITINFO2 gave the next RIP, so the exit has its length. */
	if (!expect_out(t, &e, OUT_PORT, 4))
		goto out;
	KT_EXPECT_EQ(t, e.x.io.in, false);
	KT_EXPECT_EQ(t, e.x.insn_len, 1);
	KT_EXPECT_EQ(t, e.x.rip, CODE_GPA + 8);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RAX), 0xfeedf00d);
	step_over(t, &e);
	if (!expect_out(t, &e, OUT_PORT, 4))
		goto out;
	KT_EXPECT_EQ(t, e.x.io.in, true);
	svm_vcpu_set_reg(e.v, ARCH_REG_RAX, 0x55aa);
	step_over(t, &e);
	/* VMMCALL: its length from next_rip with NRIPS, else none (QEMU
	 * writes no next_rip). */
	if (!KT_EXPECT_OK(t, run(&e)) ||
	    !KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_HYPERCALL))
		goto out;
	KT_EXPECT_EQ(t, e.x.code, SVM_EXIT_VMMCALL);
	KT_EXPECT_EQ(t, e.x.insn_len, has(SVM_FEAT_NRIPS) ? 3 : 0);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RAX), GMV_HC_MAP_GPA_RANGE);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RBX), 0x10000);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RCX), 2);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RDX), GMV_MAP_GPA_RANGE_ENCRYPTED);
	svm_vcpu_set_reg(e.v, ARCH_REG_RAX, 0x77);
	KT_EXPECT_EQ(t, step_over(t, &e), 3);
	/* VMGEXIT: QEMU reports it as VMMCALL; its bytes say 4. */
	if (!KT_EXPECT_OK(t, run(&e)) ||
	    !KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_HYPERCALL))
		goto out;
	KT_EXPECT_EQ(t, e.x.code, SVM_EXIT_VMMCALL);
	svm_vcpu_set_reg(e.v, ARCH_REG_RAX, -(u64)GMV_KVM_ENOSYS);
	KT_EXPECT_EQ(t, step_over(t, &e), 4);
	if (!expect_out(t, &e, OUT_PORT, 1))
		goto out;
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_R12), 0x55aa);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_R13), 0x77);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_R14), -(u64)GMV_KVM_ENOSYS);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RIP), CODE_GPA + sizeof(code) - 1);
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
	if (!KT_EXPECT_OK(t, run(&e)) ||
	    !KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_FAULT))
		goto out;
	KT_EXPECT_EQ(t, e.x.fault.gpa, 0x300008);
	KT_EXPECT(t, !e.x.fault.write && !e.x.fault.present &&
			     !e.x.fault.exec && !e.x.fault.walk);
	KT_EXPECT_OK(t, svm_vm_map(&e.s, e.x.fault.gpa, (phys_addr_t)pages, 0,
				   true));
	/* The write to the next page. */
	if (!KT_EXPECT_OK(t, run(&e)) ||
	    !KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_FAULT))
		goto out;
	KT_EXPECT_EQ(t, e.x.fault.gpa, 0x301000);
	KT_EXPECT(t, e.x.fault.write);
	KT_EXPECT_OK(t, svm_vm_map(&e.s, e.x.fault.gpa,
				   (phys_addr_t)pages + PAGE_SIZE, 0, true));
	if (!expect_out(t, &e, OUT_PORT, 4))
		goto out;
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RAX), 0x1122334455667788ULL);
	KT_EXPECT_EQ(t, ((u64 *)pages)[512], 0xabcdef12345ULL);
	/* Zap both: the next entry flushes the ASID (audited), and the
	 * guest's reread faults again. */
	svm_vm_zap(&e.s, 0x300000, PAGE_SIZE);
	svm_vm_zap(&e.s, 0x301000, PAGE_SIZE);
	svm_vm_flush(&e.s);
	KT_EXPECT(t, e.v->flush_pending);
	svm_vcpu_set_reg(e.v, ARCH_REG_RIP, CODE_GPA + 5);
	if (KT_EXPECT_OK(t, run(&e)) &&
	    KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_FAULT))
		KT_EXPECT_EQ(t, e.x.fault.gpa, 0x300008);
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
		u8 vector;
		enum insn_op op; /* at the RIP of a #UD */
		u64 info2;
	} steps[] = {
		{0x00, X86_VEC_UD, INSN_PVALIDATE, 0},
		{0x04, X86_VEC_UD, INSN_RMPADJUST, 0},
		{0x08, X86_VEC_UD, INSN_TDCALL, 0},
		{0x0c, X86_VEC_UD, INSN_UD2, 0},
		{0x0e, X86_VEC_GP, 0, 0},
		{0x0f, X86_VEC_PF, 0, 0x40000000},
	};
	struct run_env e;

	if (!env_open(t, &e, code, sizeof(code), 0, 0))
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		struct vmm_entry entry = { .rip = CODE_GPA + steps[i].off,
					   .rsp = STACK_TOP, .cr3 = 0x1000 };

		struct insn in;

		svm_vcpu_enter(e.v, &entry);
		if (!KT_EXPECT_OK(t, run(&e)) ||
		    !KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_EXCEPTION))
			break;
		KT_EXPECT_EQ(t, e.x.vector, steps[i].vector);
		KT_EXPECT_EQ(t, e.x.code, SVM_EXIT_EXCP_BASE + (u64)steps[i].vector);
		KT_EXPECT_EQ(t, e.x.info2, steps[i].info2);
		KT_EXPECT_GE(t, e.x.rip, CODE_GPA + steps[i].off);
		if (steps[i].op &&
		    KT_EXPECT_OK(
			    t, insn_decode(e.ram + e.x.rip, INSN_MAX_LEN, &in)))
			KT_EXPECT_EQ(t, in.op, steps[i].op);
		kt_diag(t, "%s at %#llx", e.x.name,
			(unsigned long long)e.x.rip);
	}
out:
	env_close(&e);
}

/* Enter the guest again at CODE_GPA at CPL0 (HLT and RDMSR need it). */
static void enter_cpl0(struct run_env *e)
{
	struct vmm_entry entry = {.rip = CODE_GPA, .rsp = STACK_TOP,
				  .cr3 = 0x1000, .cpl0 = true};

	svm_vcpu_enter(e->v, &entry);
}

/*
 * NRIPS (APM vol. 2 §15.7.1): VMMCALL, HLT and RDMSR exits carry their
 * length from next_rip, and it is the length the decoder (or, for the
 * instructions it does not know, the hand assembly) gives the guest's
 * bytes; a nested fault carries none (its next_rip, which Bochs writes
 * for every exit, is not an instruction intercept's).
 */
static void svm_run_nrips_lengths_match_the_bytes(struct kt *t)
{
	static const u8 code[] = {
		0x0f, 0x01, 0xd9,		    /* 0x00 vmmcall */
		0xf4,				    /* 0x03 hlt */
		0xb9, 0x80, 0x00, 0x00, 0xc0,	    /* 0x04 mov ecx, EFER */
		0x0f, 0x32,			    /* 0x09 rdmsr */
		0x48, 0x8b, 0x04, 0x25, 0x08, 0x00, 0x30, 0x00,
		/* 0x0b mov rax, [0x300008]: nested fault */
		0x0f, 0x01, 0xd9,		    /* 0x13 vmmcall */
	};
	static const struct {
		u64 off, code;
		u8 len; /* 0: the decoder's */
	} steps[] = {
		{0x00, SVM_EXIT_VMMCALL, 0},
		{0x03, SVM_EXIT_HLT, 1},
		{0x09, SVM_EXIT_MSR, 2},
		{0x0b, SVM_EXIT_NPF, 0},
		{0x13, SVM_EXIT_VMMCALL, 0},
	};
	struct run_env e;
	u8 *page = NULL;
	u64 nrips;

	if (!env_open(t, &e, code, sizeof(code), 0, 0))
		goto out;
	page = alloc_pages(hv_pool, 0, OWN_TEST);
	if (!KT_EXPECT(t, page != NULL))
		goto out;
	enter_cpl0(&e);
	nrips = e.v->stats.nrip_lens;
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		struct insn in = {.len = steps[i].len};

		if (!KT_EXPECT_OK(t, run(&e)) ||
		    !KT_EXPECT_EQ(t, e.x.code, steps[i].code) ||
		    !KT_EXPECT_EQ(t, e.x.rip, CODE_GPA + steps[i].off))
			goto out;
		if (steps[i].code == SVM_EXIT_NPF) {
			KT_EXPECT_EQ(t, e.x.insn_len, 0);
			KT_EXPECT_OK(t, svm_vm_map(&e.s, 0x300000,
						   (phys_addr_t)page, 0,
						   true));
			continue;
		}
		if (!in.len)
			KT_EXPECT_OK(t, insn_decode(e.ram + e.x.rip,
						    INSN_MAX_LEN, &in));
		KT_EXPECT_EQ(t, e.x.insn_len, in.len);
		svm_vcpu_complete(e.v, e.x.rip + e.x.insn_len);
	}
	KT_EXPECT_EQ(t, e.v->stats.nrip_lens - nrips, 4);
	kt_diag(t, "%llu exit lengths from next_rip",
		(unsigned long long)(e.v->stats.nrip_lens - nrips));
out:
	env_close(&e);
	if (page)
		free_pages(hv_pool, page, 0, OWN_TEST);
}

/*
 * A remap, as a conversion makes one: the guest reads a page, the page
 * behind its GPA is replaced (zap, flush, map), and the guest reads the
 * new one. With FlushByAsid the owed flush is TLB_CONTROL 3 on the ASID
 * the vCPU keeps (APM vol. 2 §15.16.1), not a fresh ASID.
 */
static void svm_run_flush_by_asid_after_a_remap(struct kt *t)
{
	static const u8 code[] = {
		0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x30, 0x00,
		/* l: mov rax, [0x300000] */
		0xba, 0x34, 0x12, 0x00, 0x00, /* mov edx, OUT_PORT */
		0xef,			      /* out dx, eax */
		0xeb, 0xf0,		      /* jmp l */
	};
	struct run_env e;
	u8 *pages = NULL;
	u64 flushes;
	u32 asid;

	if (!env_open(t, &e, code, sizeof(code), 0, 0))
		goto out;
	pages = alloc_pages(hv_pool, 1, OWN_TEST);
	if (!KT_EXPECT(t, pages != NULL))
		goto out;
	((u64 *)pages)[0] = 0x1111;
	((u64 *)(pages + PAGE_SIZE))[0] = 0x2222;
	KT_EXPECT_OK(t, svm_vm_map(&e.s, 0x300000, (phys_addr_t)pages, 0,
				   true));
	if (!expect_out(t, &e, OUT_PORT, 4))
		goto out;
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RAX), 0x1111);
	asid = e.v->vmcb->ctl.asid;
	flushes = e.v->stats.asid_flushes;
	step_over(t, &e);
	svm_vm_zap(&e.s, 0x300000, PAGE_SIZE);
	svm_vm_flush(&e.s);
	KT_EXPECT_OK(t, svm_vm_map(&e.s, 0x300000,
				   (phys_addr_t)pages + PAGE_SIZE, 0, true));
	if (!expect_out(t, &e, OUT_PORT, 4))
		goto out;
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RAX), 0x2222);
	KT_EXPECT_EQ(t, e.v->stats.asid_flushes - flushes, 1);
	KT_EXPECT_EQ(t, e.v->vmcb->ctl.asid, asid);
	/* Nothing owed: no flush. */
	step_over(t, &e);
	if (expect_out(t, &e, OUT_PORT, 4))
		KT_EXPECT_EQ(t, e.v->stats.asid_flushes - flushes, 1);
	kt_diag(t, "ASID %u flushed alone %llu times", asid,
		(unsigned long long)e.v->stats.asid_flushes);
out:
	env_close(&e);
	if (pages)
		free_pages(hv_pool, pages, 1, OWN_TEST);
}

/*
 * Decode assists (APM vol. 2 §15.8.4): the nested fault of an MMIO-like
 * store carries the bytes at the guest's RIP, which are the guest's code
 * and decode to the store.
 */
static void svm_run_decode_assists_give_the_fault_bytes(struct kt *t)
{
	static const u8 code[] = {
		0x48, 0x89, 0x34, 0x25, 0x00, 0x10, 0x30, 0x00,
		/* mov [0x301000], rsi */
		0xef, /* out dx, eax */
	};
	struct run_env e;
	struct insn in;
	u64 given;

	if (!env_open(t, &e, code, sizeof(code), 0, 0x5a5a))
		goto out;
	given = e.v->stats.insn_bytes;
	if (!KT_EXPECT_OK(t, run(&e)) ||
	    !KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_FAULT))
		goto out;
	KT_EXPECT_EQ(t, e.x.fault.gpa, 0x301000);
	KT_EXPECT_EQ(t, e.v->stats.insn_bytes - given, 1);
	if (!KT_EXPECT_GE(t, e.x.insn_nbytes, 8))
		goto out;
	KT_EXPECT(t, !memcmp(e.x.insn_bytes, e.ram + e.x.rip,
			     e.x.insn_nbytes));
	if (KT_EXPECT_OK(t, insn_decode(e.x.insn_bytes, e.x.insn_nbytes,
					&in))) {
		KT_EXPECT_EQ(t, in.op, INSN_MOV_STORE);
		KT_EXPECT_EQ(t, in.len, 8);
	}
	kt_diag(t, "%u guest bytes with the fault", e.x.insn_nbytes);
out:
	env_close(&e);
}

/*
 * VMCB clean bits (APM vol. 2 §15.15): entries after the first carry
 * them, and what changed is loaded all the same: a new CR3 whose tables
 * leave the data page unmapped turns the guest's next read into #PF.
 */
static void svm_run_clean_bits_keep_changes_seen(struct kt *t)
{
	static const u8 code[] = {
		0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00,
		/* l: mov rax, [0x200000] */
		0x0f, 0x01, 0xd9, /* vmmcall */
		0xeb, 0xf3,	  /* jmp l */
	};
	struct run_env e;
	u64 clean;

	if (!env_open(t, &e, code, sizeof(code), 0, 0))
		goto out;
	/* Tables at 0x4000 (PML4), 0x5000 (PDPT), 0x6000 (PD) like the
	 * others, but GVA 2 MiB - 4 MiB not present. */
	((u64 *)(e.ram + 0x4000))[0] = 0x5000 | 7;
	((u64 *)(e.ram + 0x5000))[0] = 0x6000 | 7;
	((u64 *)(e.ram + 0x6000))[0] = 0x87;
	/* The first table maps GVA 2 MiB to the guest's RAM. */
	((u64 *)(e.ram + 0x3000))[1] = 0x87;
	clean = e.v->stats.clean_entries;
	for (int i = 0; i < 3; i++) {
		if (!KT_EXPECT_OK(t, run(&e)) ||
		    !KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_HYPERCALL))
			goto out;
		step_over(t, &e);
	}
	KT_EXPECT_EQ(t, e.v->stats.clean_entries - clean, 2);
	svm_vcpu_set_reg(e.v, ARCH_REG_CR3, 0x4000);
	if (KT_EXPECT_OK(t, run(&e)) &&
	    KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_EXCEPTION)) {
		KT_EXPECT_EQ(t, e.x.vector, X86_VEC_PF);
		KT_EXPECT_EQ(t, e.x.info2, 0x200000);
	}
	kt_diag(t, "%llu entries with clean bits",
		(unsigned long long)e.v->stats.clean_entries);
out:
	env_close(&e);
}

/*
 * VMRUN round trips through the backend alone: N VMMCALLs, each decoded by
 * svm_vcpu_run() and stepped over by this case (it knows the length), then
 * N OUTs likewise. Printed in TSC ticks and microseconds; the checks only
 * prove that every exit happened. The cost through the whole stack, exit
 * policy included, is vcpu_native_round_trip_cost's.
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
	while (!run(&e) && e.x.kind == ARCH_EXIT_HYPERCALL)
		svm_vcpu_complete(e.v, e.x.rip + 3);
	print_cost(t, "VMMCALL stepped over by the caller",
		   rdtsc() - t0);
	KT_EXPECT_EQ(t, e.v->nr_exits - exits, BENCH_N + 1);
	KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_IO);

	t0 = rdtsc();
	while (outs < BENCH_N) {
		svm_vcpu_complete(e.v, e.x.rip + e.x.insn_len);
		if (run(&e) || e.x.kind != ARCH_EXIT_IO)
			break;
		outs++;
	}
	print_cost(t, "OUT stepped over by the caller", rdtsc() - t0);
	KT_EXPECT_EQ(t, outs, BENCH_N);
	KT_EXPECT_EQ(t, e.v->vmcb->save.rip, CODE_GPA + sizeof(code) - 1);
out:
	env_close(&e);
}

static const char *no_nmi_tick(struct kt *t)
{
	const char *why = svm_cpu_lacks();

	if (why)
		return why;
	return nmi_watchdog_running() ? NULL :
					"needs the deadline= NMI watchdog's tick";
}

/*
 * The deadline= watchdog's NMIs (boot/nmi_watchdog.h) while a guest runs:
 * each ends the run with #VMEXIT(NMI) and stays pending while GIF is
 * clear, and the host's handler takes it at STGI, before svm_vcpu_run()
 * returns (APM vol. 2, "NMI Intercept" under "Interrupt Intercepts", and
 * 15.17 "Global Interrupt Flag"). The guest spins on its TSC for
 * NMI_SPIN_MS, then says so with an OUT; every NMI exit on the way must
 * have reached the handler. Without the NMI intercept the guest would
 * take the NMI itself, through an IDT it does not have, and the host's
 * NMIs would stay blocked.
 */
#define NMI_SPIN_MS (6 * NMI_WATCHDOG_MS)

static void svm_run_watchdog_nmi_exits_reach_the_host(struct kt *t)
{
	static const u8 code[] = {
		0x0f, 0x31,		/* rdtsc */
		0x48, 0xc1, 0xe2, 0x20, /* shl rdx, 32 */
		0x48, 0x09, 0xd0,	/* or rax, rdx */
		0x48, 0x89, 0xc1,	/* mov rcx, rax */
		0xf3, 0x90,		/* l1: pause */
		0x0f, 0x31,		/* rdtsc */
		0x48, 0xc1, 0xe2, 0x20, /* shl rdx, 32 */
		0x48, 0x09, 0xd0,	/* or rax, rdx */
		0x48, 0x29, 0xc8,	/* sub rax, rcx */
		0x48, 0x39, 0xf8,	/* cmp rax, rdi */
		0x72, 0xed,		/* jb l1 */
		0xba, 0x34, 0x12, 0x00, 0x00, /* mov edx, OUT_PORT */
		0xef,			/* out dx, eax */
	};
	struct run_env e;
	u64 nmis = nmi_watchdog_count(), nmi_exits = 0, other = 0;
	int ret;

	if (!env_open(t, &e, code, sizeof(code), NMI_SPIN_MS * tsc_khz, 0))
		goto out;
	while (!(ret = run(&e)) && e.x.kind == ARCH_EXIT_NONE) {
		if (e.x.code == SVM_EXIT_NMI)
			nmi_exits++;
		else
			other++;
	}
	nmis = nmi_watchdog_count() - nmis;
	kt_diag(t, "%llu NMI exits and %llu other interrupt exits in %u ms; "
		   "the handler took %llu NMIs",
		(unsigned long long)nmi_exits, (unsigned long long)other,
		NMI_SPIN_MS, (unsigned long long)nmis);
	KT_EXPECT_OK(t, ret);
	KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_IO);
	KT_EXPECT_EQ(t, e.x.io.port, OUT_PORT);
	KT_EXPECT_GE(t, nmi_exits, 2);
	KT_EXPECT_GE(t, nmis, nmi_exits);
out:
	env_close(&e);
}

static const struct kt_case svm_run_cases[] = {
	KT_CASE_IF(svm_run_io_and_hypercalls, no_svm),
	KT_CASE_IF(svm_run_nested_faults_map_on_demand, no_svm),
	KT_CASE_IF(svm_run_ud_and_guest_exceptions, no_svm),
	KT_CASE_IF(svm_run_round_trip_cost, no_svm),
	KT_CASE_IF(svm_run_nrips_lengths_match_the_bytes, no_nrips),
	KT_CASE_IF(svm_run_flush_by_asid_after_a_remap, no_flush_by_asid),
	KT_CASE_IF(svm_run_decode_assists_give_the_fault_bytes,
		   no_decode_assists),
	KT_CASE_IF(svm_run_clean_bits_keep_changes_seen, no_clean_bits),
	KT_CASE_IF(svm_run_watchdog_nmi_exits_reach_the_host, no_nmi_tick),
};

const struct kt_suite svm_run_suite = KT_SUITE("svm_run", svm_run_cases);
