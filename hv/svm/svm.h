/* SPDX-License-Identifier: MIT */
/*
 * hv/svm/svm.h - the SVM half of the native backend: one struct svm_vm per VM
 * (its nested page table, I/O and MSR permission maps) and one struct
 * svm_vcpu per vCPU (its VMCB, the guest GPRs the VMCB does not hold, and
 * what the last exit still owes the guest). Owns those objects and the
 * per-CPU ASID space; the memory behind the guest belongs to gmem/vm.
 *
 * The guest environment (hv/vmm.h, struct vmm_entry): 64-bit long mode at
 * CPL3, RFLAGS.IOPL=3, paging with the loader's CR3, flat segments, no
 * IDT. Every exception the guest raises is intercepted and ends the run as
 * a SHUTDOWN exit (what a guest without an IDT gets from KVM: a triple
 * fault), except #UD, which first goes through the instruction decoder.
 *
 * Exits to the case (struct vmm_exit) follow KVM's conventions: the guest
 * RIP still points at an I/O, VMMCALL or MMIO instruction while the case
 * looks at the exit, and svm_complete_pending() before the next run
 * completes it (IN data into RAX, hypercall.ret into RAX, mmio.data into
 * the MOV's register) and steps over it, unless the case moved RIP.
 */
#ifndef GMV_HV_SVM_SVM_H
#define GMV_HV_SVM_SVM_H

#include "hv/x86/insn_decode.h"
#include "hv/npt.h"
#include "hv/svm/svm_cpu.h"
#include "hv/svm/svm_vmcb.h"
#include "hv/vmm.h"

/* KVM's hypercall error values (include/uapi/linux/kvm_para.h), returned
 * negated in RAX. */
#define SVM_KVM_ENOSYS 1000
#define SVM_KVM_EINVAL 22

/* Consecutive identical nested faults after which the run stops with an
 * internal error instead of looping. */
#define SVM_NPF_REPEAT_MAX 16

/* What svm_vcpu_run() and svm_handle_exit() return besides -errno. */
#define SVM_RESUME 0 /* keep running the guest */
#define SVM_TO_CASE 1 /* *exit is filled for the case */
#define SVM_TO_NPF 2 /* a nested fault for the memory side, in *npf */

/* A nested page fault the NPT cannot resolve by itself. */
struct svm_npf {
	u64 gpa; /* exact faulting guest-physical address */
	bool write, exec;
	bool present; /* a translation existed (permission fault) */
	bool walk; /* the guest's own page walk faulted, at a table's GPA */
};

/* What the last exit owes the guest on the next run. */
enum svm_pending {
	SVM_PENDING_NONE,
	SVM_PENDING_OUT,       /* step over the OUT */
	SVM_PENDING_IN,	       /* exit.io.data into AL/AX/EAX, then step */
	SVM_PENDING_HYPERCALL, /* exit.hypercall.ret into RAX, then step */
	SVM_PENDING_MMIO,      /* complete the MOV, then step */
};

struct svm_vcpu {
	struct svm_vm *svm;
	unsigned int index;
	struct vmcb *vmcb;
	struct svm_gprs gprs;
	bool entered; /* vcpu_enter() gave it a guest state */
	bool flush_pending; /* flush this vCPU's ASID before the next VMRUN */
	u64 asid_gen;
	/* Completion owed by the last exit. */
	enum svm_pending pending;
	u64 pending_rip;  /* RIP of the instruction to complete */
	u64 pending_next; /* RIP after it */
	u8 pending_io_size;
	struct insn pending_insn;
	/* The deadline of the run in progress (hv/deadline.h), 0: none. */
	u64 run_deadline;
	/* Loop guard for nested faults. */
	u64 last_npf_gpa, last_npf_rip;
	unsigned int npf_repeat;
	/* Exits seen, for diagnostics and the benchmark. */
	u64 nr_exits;
	/* Why the last SHUTDOWN or INTERNAL_ERROR exit happened. */
	char why[64];
};

#define SVM_MAX_VCPUS 8

struct svm_vm {
	unsigned long type; /* GMV_VM_* */
	struct npt npt;
	u8 *iopm;  /* 12 KiB: every port intercepted */
	u8 *msrpm; /* 8 KiB: every MSR intercepted */
	struct svm_vcpu *vcpus[SVM_MAX_VCPUS];
	unsigned int nr_vcpus;
};

/* The per-CPU ASID space (APM 15.16): ASIDs 1 .. nasid-1 handed out in
 * generations; when they run out, a new generation starts with a flush of
 * every ASID. */
struct svm_asid_space {
	u32 nasid;
	u32 next;
	u64 gen;
	/* TLB_CONTROL 3 (flush one ASID) needs CPUID FlushByAsid (APM
	 * 15.16.1); without it a vCPU flushes by taking a fresh ASID, as
	 * KVM does. */
	bool flush_by_asid;
};

/*
 * Give v an ASID valid in the current generation of space. Returns the
 * TLB_CONTROL the next VMRUN needs for it: SVM_TLB_FLUSH_ALL when a new
 * generation began, SVM_TLB_FLUSH_ASID for a freshly assigned ASID (with
 * FlushByAsid; without it SVM_TLB_NOTHING: the generation's full flush
 * left it clean), else SVM_TLB_NOTHING.
 */
u8 svm_asid_assign(struct svm_asid_space *space, struct svm_vcpu *v);

/*
 * Set up the SVM side of a VM: an empty NPT (with flush-owed audit on) and
 * the permission maps. Returns 0, -ENOMEM or -EINVAL (type not run by SVM);
 * on error nothing is held.
 */
int svm_vm_init(struct svm_vm *s, unsigned long type);
/* Free the vCPUs, the NPT and the maps. */
void svm_vm_destroy(struct svm_vm *s);

/*
 * The VM's memory changed under [gpa, gpa + size): drop the nested
 * translations (a huge leaf straddling an edge goes whole; it faults back
 * in). The flush this owes is left for svm_vm_flush(), so that one
 * operation zapping many ranges flushes once.
 */
void svm_vm_zap(struct svm_vm *s, u64 gpa, u64 size);
/* If a flush is owed, make every vCPU flush its ASID before it next runs. */
void svm_vm_flush(struct svm_vm *s);

/*
 * Map the naturally aligned block of 4 KiB << order bytes around gpa to
 * the same block around hpa, the host page backing gpa's page (the memory
 * side vouches that the block is contiguous and uniform), read-execute,
 * and writable if asked. Flushes
 * if the NPT merged entries. 0, -EINVAL or -ENOMEM.
 */
int svm_vm_map(struct svm_vm *s, u64 gpa, phys_addr_t hpa,
	       unsigned int order, bool writable);

/* A vCPU without guest state. 0, -ENOMEM or -EINVAL (too many vCPUs). */
int svm_vcpu_create(struct svm_vm *s, struct svm_vcpu **out);

/*
 * Ready the VMCB for VMRUN: an ASID of space's current generation and the
 * TLB flush the vCPU owes (TLB_CONTROL 3, or a fresh ASID without
 * FlushByAsid). -EIO when the NPT audit finds a flush owed that
 * no path handed to the vCPUs (the run loop panics on it).
 */
int svm_prepare_entry(struct svm_vcpu *v, struct svm_asid_space *space);

/* Load the guest environment contract's state for entry e. */
int svm_vcpu_enter(struct svm_vcpu *v, const struct vmm_entry *e);
void svm_vcpu_get_regs(const struct svm_vcpu *v, struct vmm_regs *r);
void svm_vcpu_set_regs(struct svm_vcpu *v, const struct vmm_regs *r);

/*
 * Enter the guest and handle exits until one needs the case
 * (SVM_TO_CASE, *exit filled) or the memory side (SVM_TO_NPF, *npf
 * filled), or until deadline (a TSC value, hv/deadline.h; 0 for none)
 * has passed: -EINTR with a GMV_EXIT_INTR exit. The deadline timer is
 * armed for it (kept if it fires sooner, never cancelled); host
 * interrupts are enabled only across VMRUN, and intercepted (APM
 * 15.21.1). The caller completes the owed work first with
 * svm_complete_pending(). Turns SVM on in this CPU first. -EINVAL when
 * the vCPU was never entered, -ENODEV without SVM.
 */
int svm_vcpu_run(struct svm_vcpu *v, u64 deadline, struct vmm_exit *exit,
		 struct svm_npf *npf);

/*
 * Handle the exit the VMCB holds: SVM_RESUME, SVM_TO_CASE or SVM_TO_NPF as
 * for svm_vcpu_run(), or -EINTR (a GMV_EXIT_INTR exit) instead of
 * SVM_RESUME once v->run_deadline has passed, whatever the exit; before
 * it, SVM_RESUME leaves the deadline timer armed. Split from the world
 * switch so that the host build drives it with hand-made exits.
 */
int svm_handle_exit(struct svm_vcpu *v, struct vmm_exit *exit,
		    struct svm_npf *npf);

/*
 * Turn a nested fault at a GPA no memslot covers into an MMIO exit: the
 * faulting MOV is decoded for the access size and, for a store, the data
 * (len 0 if it is not a MOV form the decoder knows: the guest then retries
 * the access on the next run); a decoded MOV is completed on the next run.
 * A fault in the guest's own page walk is no access of the instruction:
 * KVM's walker cannot read such a table and injects #PF, which a guest
 * without an IDT turns into a triple fault, so it is a SHUTDOWN exit.
 */
void svm_mmio_exit(struct svm_vcpu *v, const struct svm_npf *npf,
		   struct vmm_exit *exit);

/* Apply what the last exit owed the guest (see enum svm_pending), with
 * the case's results from *exit. */
void svm_complete_pending(struct svm_vcpu *v, const struct vmm_exit *exit);

/* One block of text describing the vCPU's state and last exit: exit code
 * and name, EXITINFO1/2, EXITINTINFO, RIP, RSP, RFLAGS, every GPR, CR0,
 * CR2, CR3, CR4, EFER, CPL. Returns the length it needed, like snprintf. */
int svm_format_state(char *buf, size_t n, const struct vmcb *vmcb,
		     const struct svm_gprs *g);
/* Print svm_format_state() as "# " diagnostic lines with a title. */
void svm_dump(const struct svm_vcpu *v, const char *why);

#endif
