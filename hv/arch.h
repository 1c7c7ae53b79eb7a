/* SPDX-License-Identifier: MIT */
/*
 * hv/arch.h - the vCPU backend seam. Owns the interface every vendor
 * backend implements (SVM in hv/svm/, VMX in hv/vmx/), the
 * vendor-neutral exit record a backend decodes its exits into, and the
 * choice of backend: arch_select() in hv/arch.c is the only place one is
 * picked, at run time from the CPU, so one EFI image serves AMD and Intel
 * machines.
 *
 * A backend knows nothing of memslots, gmem, KVM's ABI or the case: it
 * keeps a VM's second-level page table and its vCPUs, switches worlds, and
 * says what an exit was. What an exit means (hypercall ABI, MMIO, the
 * repeat-fault guard, the run time limit, trapped confidential-computing
 * instructions) is decided once, in hv/vcpu_exit.c.
 */
#ifndef GMV_HV_ARCH_H
#define GMV_HV_ARCH_H

#include "hv/vmm.h"
#include "lib/types.h"

struct arch_vm;
struct arch_vcpu;

/* Which translations a zap drops (KVM's KVM_FILTER_SHARED / _PRIVATE). A
 * backend with one table for both kinds (SVM's NPT) drops every
 * translation in the range whatever the filter: dropping more is safe,
 * what goes faults back in. */
#define ARCH_ZAP_SHARED 1u
#define ARCH_ZAP_PRIVATE 2u
#define ARCH_ZAP_ALL (ARCH_ZAP_SHARED | ARCH_ZAP_PRIVATE)

/*
 * A nested fault (SVM #NPF, VMX EPT violation), as the hardware reported
 * it. 'private' is the hardware's word on the access: on SEV-SNP the NPF
 * error code's encrypted-access bit (APM vol. 2 §15.25.10), on TDX a GPA
 * without the shared bit (the bit is stripped from gpa before anything
 * looks the GPA up); false where the hardware says nothing.
 */
struct arch_fault {
	u64 gpa; /* exact faulting guest-physical address */
	bool write, exec;
	bool present; /* a translation existed (a permission fault) */
	bool walk; /* the guest's own page walk faulted, at a table's GPA */
	bool private;
	bool rmp; /* an RMP check failed (SNP NPF error code bit 31) */
	bool size_mismatch; /* RMP and nested page sizes differ (bit 35) */
};

enum arch_exit_kind {
	ARCH_EXIT_NONE, /* nothing for anyone (host interrupt, NMI) */
	ARCH_EXIT_FAULT, /* nested fault: .fault */
	ARCH_EXIT_IO, /* port I/O: .io */
	ARCH_EXIT_HYPERCALL, /* VMMCALL (AMD), VMCALL (Intel), VMGEXIT */
	ARCH_EXIT_HLT,
	ARCH_EXIT_SHUTDOWN, /* triple fault */
	ARCH_EXIT_EXCEPTION, /* a guest exception was intercepted: .vector */
	ARCH_EXIT_MSR, /* RDMSR or WRMSR: .msr (ECX, EDX:EAX in registers) */
	ARCH_EXIT_INTERNAL, /* the backend cannot go on: .why */
};

/* One exit, decoded by the backend. */
struct arch_exit {
	enum arch_exit_kind kind;
	u64 rip; /* the guest's RIP at the exit */
	/* Length of the exiting instruction when the hardware reported it
	 * (SVM next_rip or IOIO EXITINFO2, VMX exit instruction length);
	 * 0 when unknown: the exit policy measures the guest's bytes. Port
	 * I/O exits always carry it (the decoder knows no IN/OUT). */
	u8 insn_len;
	/* The exiting instruction's bytes when the hardware fetched them
	 * for the exit (SVM DecodeAssists on a nested fault): the first
	 * insn_nbytes of insn_bytes, at most the architectural 15; 0 when
	 * none, and the exit policy reads the guest's memory instead. */
	u8 insn_nbytes;
	u8 insn_bytes[15];
	union {
		struct arch_fault fault;
		struct {
			u16 port;
			u8 size; /* 1, 2 or 4 */
			bool in;
			bool string; /* INS/OUTS */
		} io;
		u8 vector;
		struct {
			bool write; /* WRMSR */
		} msr;
		const char *why;
	};
	/* The vendor's own view, for GMV_EXIT_INTERNAL_ERROR / SHUTDOWN /
	 * INTR exits (struct vmm_exit.other) and for messages. */
	u64 code, info1, info2;
	const char *name; /* the vendor's name for the exit code */
};

/* The guest registers the exit policy reads and writes. */
enum arch_reg {
	ARCH_REG_RAX, ARCH_REG_RCX, ARCH_REG_RDX, ARCH_REG_RBX,
	ARCH_REG_RSP, ARCH_REG_RBP, ARCH_REG_RSI, ARCH_REG_RDI,
	ARCH_REG_R8, ARCH_REG_R9, ARCH_REG_R10, ARCH_REG_R11,
	ARCH_REG_R12, ARCH_REG_R13, ARCH_REG_R14, ARCH_REG_R15,
	ARCH_REG_RIP, ARCH_REG_RFLAGS, ARCH_REG_CR3,
	ARCH_NR_REGS
};

/* A translation of the VM's second-level table. */
struct arch_xlate {
	phys_addr_t hpa; /* of the byte asked for */
	unsigned int order; /* the leaf: 0 (4 KiB), 9 (2 MiB), 18 (1 GiB) */
	bool writable;
};

/* Most vCPUs a VM may have. */
#define ARCH_MAX_VCPUS 8

struct arch_ops {
	const char *name;
	/* NULL when this CPU runs this backend's guests, else why not. */
	const char *(*lacks)(void);

	/* VM-level state, made in vm_create before any vCPU: an empty
	 * second-level table and whatever else the vendor keeps per VM.
	 * 0, -ENOMEM, or -EINVAL for a VM type the backend cannot run. */
	int (*vm_init)(unsigned long type, struct arch_vm **out);
	/* Free the VM's state and its vCPUs. */
	void (*vm_destroy)(struct arch_vm *vm);
	/* Map the naturally aligned 4 KiB << order block around gpa to the
	 * same block around hpa (the page backing gpa's page); read and
	 * execute, writable if asked; private selects the private table
	 * where the vendor keeps two. 0, -EINVAL, -ENOMEM. */
	int (*map)(struct arch_vm *vm, u64 gpa, phys_addr_t hpa,
		   unsigned int order, bool writable, bool private);
	/* Drop the translations of [gpa, gpa + size) that filter selects;
	 * the flush this owes waits for flush(). Cannot fail. */
	void (*zap)(struct arch_vm *vm, u64 gpa, u64 size, unsigned int filter);
	/* If a flush is owed, every vCPU flushes before it next enters. */
	void (*flush)(struct arch_vm *vm);
	/* The translation of gpa: 0 or -ENOENT. */
	int (*lookup)(const struct arch_vm *vm, u64 gpa, struct arch_xlate *x);

	/* A vCPU without guest state: 0, -ENOMEM, -EINVAL (too many). */
	int (*vcpu_create)(struct arch_vm *vm, struct arch_vcpu **out);
	/* Load the guest environment contract's state (hv/vmm.h). */
	int (*vcpu_enter)(struct arch_vcpu *c, const struct vmm_entry *e);
	u64 (*get_reg)(const struct arch_vcpu *c, enum arch_reg r);
	void (*set_reg)(struct arch_vcpu *c, enum arch_reg r, u64 val);
	/* Step over the instruction at RIP to next_rip (the vendor drops
	 * its interrupt shadow, as an emulated instruction would). */
	void (*complete)(struct arch_vcpu *c, u64 next_rip);
	/* Deliver exception vector with error_code (vectors that push one)
	 * through the guest's IDT at the next entry (SVM EVENTINJ, VMX
	 * VM-entry interruption information). */
	void (*inject)(struct arch_vcpu *c, u8 vector, u32 error_code);
	/* One entry into the guest and the decoded exit. The backend arms
	 * nothing: the caller armed the deadline timer (hv/deadline.h).
	 * 0, -EINVAL (never entered), -ENODEV (no such CPU), or the
	 * backend's own error (the scripted one's flush audit: -EIO). */
	int (*run)(struct arch_vcpu *c, struct arch_exit *exit);
	/* Print the vCPU's state and its last exit as "# " lines. */
	void (*dump)(const struct arch_vcpu *c, const char *why);
};

/*
 * The backend of this machine (NULL if none runs here), chosen once by
 * arch_select() from the CPU's vendor and features; arch_lacks() says why
 * none was chosen.
 */
const struct arch_ops *arch_select(void);
const char *arch_lacks(void);

/* For host unit tests: run every VM made from now on with ops (NULL:
 * back to arch_select()'s choice). Returns the previous override. */
const struct arch_ops *arch_use(const struct arch_ops *ops);

#endif
