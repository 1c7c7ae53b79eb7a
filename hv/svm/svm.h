/* SPDX-License-Identifier: MIT */
/*
 * hv/svm/svm.h - the SVM backend (svm_arch_ops, hv/arch.h): one struct
 * svm_vm per VM (its nested page table, I/O and MSR permission maps) and
 * one struct svm_vcpu per vCPU (its VMCB and the guest GPRs the VMCB does
 * not hold). Owns those objects, the per-CPU ASID space, the world switch
 * and the decoding of a VMCB exit into a struct arch_exit; what an exit
 * means for the guest and the case is hv/vcpu_exit.c's. The memory behind
 * the guest belongs to gmem/vm.
 *
 * The guest environment (hv/vmm.h, struct vmm_entry): 64-bit long mode at
 * CPL3, RFLAGS.IOPL=3, paging with the loader's CR3, flat segments, no
 * IDT. Every exception the guest raises is intercepted (an
 * ARCH_EXIT_EXCEPTION), and so are host interrupts, port I/O, VMMCALL,
 * HLT and shutdown.
 */
#ifndef GMV_HV_SVM_SVM_H
#define GMV_HV_SVM_SVM_H

#include "hv/arch.h"
#include "hv/npt.h"
#include "hv/svm/svm_cpu.h"
#include "hv/svm/svm_vmcb.h"
#include "hv/vmm.h"

/* The backend, registered in hv/arch.c. */
extern const struct arch_ops svm_arch_ops;

#define SVM_MAX_VCPUS ARCH_MAX_VCPUS

/* What the optional SVM features did for a vCPU (SVM_FEAT_*, hv/svm/
 * svm_cpu.h): the proof that their paths ran. */
struct svm_feat_stats {
	u64 nrip_lens; /* exits whose length came from next_rip */
	u64 insn_bytes; /* exits that carried the VMCB's guest bytes */
	u64 clean_entries; /* VMRUNs with a nonzero VMCB clean field */
	u64 asid_flushes; /* VMRUNs with TLB_CONTROL 3 (this ASID only) */
};

struct svm_asid_space;

struct svm_vcpu {
	struct svm_vm *svm;
	unsigned int index;
	struct vmcb *vmcb;
	struct svm_gprs gprs;
	bool entered; /* svm_vcpu_enter() gave it a guest state */
	bool flush_pending; /* flush this vCPU's ASID before the next VMRUN */
	u64 asid_gen;
	/* The CPU (its svm_asid_space) this VMCB last ran on; NULL before
	 * the first VMRUN. Clean bits hold on that CPU only. */
	const struct svm_asid_space *ran_on;
	/* Exits seen, for diagnostics. */
	u64 nr_exits;
	struct svm_feat_stats stats;
};

struct svm_vm {
	unsigned long type; /* GMV_VM_* */
	struct npt npt;
	u8 *iopm; /* 12 KiB: every port intercepted */
	u8 *msrpm; /* 8 KiB: every MSR intercepted */
	struct svm_vcpu *vcpus[SVM_MAX_VCPUS];
	unsigned int nr_vcpus;
};

/* The per-CPU SVM state: the ASID space (APM 15.16), ASIDs 1 .. nasid-1
 * handed out in generations; when they run out, a new generation starts
 * with a flush of every ASID. And the CPU's optional features. */
struct svm_asid_space {
	u32 nasid;
	u32 next;
	u64 gen;
	/* SVM_FEAT_*. TLB_CONTROL 3 (flush one ASID) needs FlushByAsid
	 * (APM 15.16.1); without it a vCPU flushes by taking a fresh ASID,
	 * as KVM does. */
	u32 features;
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
 * translations (hv/arch_npt.h). The flush this owes is left for
 * svm_vm_flush(), so that one operation zapping many ranges flushes once.
 */
void svm_vm_zap(struct svm_vm *s, u64 gpa, u64 size);
/* If a flush is owed, make every vCPU flush its ASID before it next runs. */
void svm_vm_flush(struct svm_vm *s);
/* Map a block around gpa (hv/arch_npt.h arch_npt_map()). */
int svm_vm_map(struct svm_vm *s, u64 gpa, phys_addr_t hpa, unsigned int order,
	       bool writable);

/* A vCPU without guest state. 0, -ENOMEM or -EINVAL (too many vCPUs). */
int svm_vcpu_create(struct svm_vm *s, struct svm_vcpu **out);

/*
 * Ready the VMCB for VMRUN on the CPU of space: an ASID of its current
 * generation, the TLB flush the vCPU owes (TLB_CONTROL 3, or a fresh ASID
 * without FlushByAsid), and the clean bits (none on a CPU this VMCB did
 * not run on last). -EIO when the NPT audit finds a flush owed that no
 * path handed to the vCPUs (svm_vcpu_run() panics on it).
 */
int svm_prepare_entry(struct svm_vcpu *v, struct svm_asid_space *space);

/*
 * After VMRUN returned: nothing more to flush, the event an exit cut short
 * owed again, and, with VMCB clean bits, every field clean until the
 * backend changes one. Split from the world switch for the host tests.
 */
void svm_after_vmrun(struct svm_vcpu *v, const struct svm_asid_space *space);

/* Load the guest environment contract's state for entry e. */
int svm_vcpu_enter(struct svm_vcpu *v, const struct vmm_entry *e);
u64 svm_vcpu_get_reg(const struct svm_vcpu *v, enum arch_reg r);
void svm_vcpu_set_reg(struct svm_vcpu *v, enum arch_reg r, u64 val);
/* Step over the instruction at RIP to next_rip, leaving no interrupt
 * shadow behind it (as KVM's skip_emulated_instruction()). */
void svm_vcpu_complete(struct svm_vcpu *v, u64 next_rip);
/* The SEV-SNP bits of an NPF error code into *f (hv/svm_snp.c). */
void svm_snp_decode_npf(u64 info, struct arch_fault *f);
/* The hypervisor may write the page at pa for the guest: no RMP assigns
 * it (hv/svm_snp.c). */
bool svm_snp_host_may_write(phys_addr_t pa);
/* Inject an exception at the next VMRUN (EVENTINJ). */
void svm_vcpu_inject(struct svm_vcpu *v, u8 vector, u32 error_code);

/*
 * One entry into the guest: the TLB flush it owes, VMRUN, and the exit
 * decoded into *x. Host interrupts are enabled only across VMRUN, and
 * intercepted (APM 15.21.1): one that ends the guest's run is taken by the
 * host before this returns (the deadline timer's among them, which the
 * caller armed). Turns SVM on in this CPU first. 0, -EINVAL when the vCPU
 * was never entered, -ENODEV without SVM.
 */
int svm_vcpu_run(struct svm_vcpu *v, struct arch_exit *x);

/*
 * Decode the exit the VMCB holds into *x, using what the CPU's features
 * (SVM_FEAT_*) put there, and count what they gave in v->stats. Split
 * from the world switch so that the host build drives it with hand-made
 * exits.
 */
void svm_decode_exit(struct svm_vcpu *v, u32 features, struct arch_exit *x);

/* One block of text describing the vCPU's state and last exit: exit code
 * and name, EXITINFO1/2, EXITINTINFO, RIP, RSP, RFLAGS, every GPR, CR0,
 * CR2, CR3, CR4, EFER, CPL. Returns the length it needed, like snprintf. */
int svm_format_state(char *buf, size_t n, const struct vmcb *vmcb,
		     const struct svm_gprs *g);
/* Print svm_format_state() as "# " diagnostic lines with a title. */
void svm_dump(const struct svm_vcpu *v, const char *why);

#endif
