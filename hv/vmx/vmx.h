/* SPDX-License-Identifier: MIT */
/*
 * hv/vmx/vmx.h - the Intel VMX backend (vmx_arch_ops, hv/arch.h): one
 * struct vmx_vm per VM (its EPT and the EPTP) and one struct vmx_vcpu per
 * vCPU (its VMCS page, the guest registers the VMCS does not hold, and a
 * copy of the guest state the exit policy reads and writes between
 * entries). Owns those objects, the VPID space, the VMX controls derived
 * from the capability MSRs, the world switch and the decoding of an exit
 * into a struct arch_exit; what an exit means is hv/vcpu_exit.c's.
 *
 * The VMCS itself is the CPU's: only the payload touches it, through
 * VMREAD/VMWRITE (hv/vmx/vmx_cpu_hw.c). Everything above it is plain data
 * the host build tests: the controls (vmx_config_derive()), the VMCS
 * image of the guest state (vmx_vmcs_image()), the flushes an entry owes
 * (vmx_prepare_entry()) and the exit decoder, which reads the exit fields
 * the hardware path copied out of the VMCS (struct vmx_exit_info).
 *
 * The guest environment (hv/vmm.h, struct vmm_entry) is SVM's: 64-bit
 * mode at CPL3 (or CPL0), IOPL=3, paging with the loader's CR3, flat
 * segments, no IDT. Every exception but NMI is intercepted, and so are
 * external interrupts and NMIs, port I/O, HLT, VMCALL, RDMSR/WRMSR and
 * triple faults.
 */
#ifndef GMV_HV_VMX_VMX_H
#define GMV_HV_VMX_VMX_H

#include "hv/arch.h"
#include "hv/npt.h"
#include "hv/vmm.h"
#include "hv/vmx/vmx_vmcs.h"

/* The backend, registered in hv/arch.c. */
extern const struct arch_ops vmx_arch_ops;

#define VMX_MAX_VCPUS ARCH_MAX_VCPUS

/* The capability MSRs the controls come from (SDM vol. 3D appendix A).
 * The TRUE_* ones count only when BASIC bit 55 is set. */
struct vmx_caps {
	u64 basic, misc;
	u64 pin, proc, exit, entry;
	u64 true_pin, true_proc, true_exit, true_entry;
	u64 proc2, ept_vpid;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

/* What this backend runs with, derived from struct vmx_caps. */
struct vmx_config {
	u32 revision; /* of the VMXON region and every VMCS */
	u32 pin, proc, proc2, exit, entry;
	u64 guest_cr0, guest_cr4; /* the contract's, with the fixed bits */
	unsigned int ept_max_order; /* largest EPT leaf: 0, 9 or 18 */
	u8 invept_type; /* INVEPT_SINGLE or INVEPT_ALL */
	bool vpid; /* VPIDs tag the guest's TLB entries */
	bool ept_ad; /* the CPU has EPT accessed/dirty flags (left off) */
	/* The VMX-preemption timer is on (pin-based control), counting
	 * down once per 2^preempt_rate TSC ticks. */
	bool preempt;
	u8 preempt_rate;
	/* VM entry may inject a hardware exception with or without an
	 * error code, whatever its vector (IA32_VMX_BASIC bit 56). */
	bool any_error_code;
	char why[128]; /* why not, when vmx_config_derive() refuses */
};

/*
 * Derive the controls from caps: every control this backend needs set
 * (allowed-1), every one it cannot live with clear (allowed-0), the
 * CPU's default-1 bits kept, optional ones (VPID) taken where allowed;
 * the guest's CR0/CR4 with the fixed bits; EPT page sizes, INVEPT and
 * INVVPID types. Returns NULL with *cfg filled, else cfg->why naming the
 * first control, MSR and bit that stops it.
 */
const char *vmx_config_derive(const struct vmx_caps *caps,
			      struct vmx_config *cfg);

/* The guest's general registers; VMX switches RSP, RIP and RFLAGS
 * through the VMCS. hv/vmx/vmx_vmenter.asm uses these offsets. */
struct vmx_gprs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

_Static_assert(__builtin_offsetof(struct vmx_gprs, rax) == 0, "asm");
_Static_assert(__builtin_offsetof(struct vmx_gprs, rcx) == 16, "asm");
_Static_assert(__builtin_offsetof(struct vmx_gprs, r8) == 56, "asm");
_Static_assert(__builtin_offsetof(struct vmx_gprs, r15) == 112, "asm");

/* How an entry attempt ended (VMLAUNCH/VMRESUME, SDM vol. 3C 31.2
 * "Conventions" for VMfailInvalid/VMfailValid). */
enum vmx_entry_result {
	VMX_ENTERED = 0, /* the guest ran; the exit fields are valid */
	VMX_FAIL_INVALID = 1, /* no current VMCS */
	VMX_FAIL_VALID = 2, /* VM-instruction error in insn_error */
};

/* The exit fields the hardware path copies out of the VMCS. */
struct vmx_exit_info {
	u8 result; /* enum vmx_entry_result */
	u32 reason; /* full exit reason, bit 31 for entry failures */
	u64 qual;
	u64 gpa; /* guest-physical address (EPT exits) */
	u64 gla; /* guest-linear address, when the qualification says */
	u32 insn_len;
	u32 intr_info, intr_error; /* VM-exit interruption information */
	u32 idt_info, idt_error; /* IDT-vectoring information */
	u32 insn_error; /* VM-instruction error (VMX_FAIL_VALID) */
};

struct vmx_vm;

struct vmx_vcpu {
	struct vmx_vm *vmx;
	unsigned int index;
	u8 *vmcs; /* the VMCS region, one page */
	struct vmx_gprs gprs;
	/* Guest state kept here between exits, written at each entry and
	 * read back at each exit. */
	u64 rip, rsp, rflags, cr3;
	u16 cs_sel; /* RPL 0 or 3: the contract's CPL */
	u32 interruptibility;
	u32 entry_intr_info, entry_exc_error; /* an event to inject */
	bool entered; /* vmx_vcpu_enter() gave it a guest state */
	bool state_dirty; /* the whole guest state goes to the VMCS */
	bool vmcs_ready; /* controls and host state written */
	bool launched; /* VMRESUME, not VMLAUNCH */
	u16 vpid;
	u64 vpid_gen;
	struct vmx_exit_info exit;
	u64 nr_exits;
	char why[112]; /* the text of an internal-error exit */
};

struct vmx_vm {
	unsigned long type; /* GMV_VM_* */
	const struct vmx_config *cfg;
	struct npt npt;
	u64 eptp;
	bool invept_owed; /* the EPT changed (or is new) since its INVEPT */
	struct vmx_vcpu *vcpus[VMX_MAX_VCPUS];
	unsigned int nr_vcpus;
};

/* The per-CPU VPID space: VPIDs 1 .. max handed out in generations; a
 * new generation starts with INVVPID of every context, so a VPID fresh in
 * its generation has nothing cached. max 0: VPIDs are off (VPID 0, whose
 * translations every entry and exit drop, SDM vol. 3C 29.1). */
struct vmx_vpid_space {
	u32 max;
	u32 next;
	u64 gen;
};

/* The invalidations one entry owes, done right before it. */
struct vmx_flush {
	bool invept; /* INVEPT cfg->invept_type for the VM's EPTP */
	bool invvpid_all; /* INVVPID all-context: a new VPID generation */
};

/* An empty EPT (flush-owed audit on) for a VM of type, run with cfg.
 * 0, -ENOMEM, or -EINVAL for a type VMX does not run. */
int vmx_vm_init(struct vmx_vm *s, unsigned long type,
		const struct vmx_config *cfg);
/* Free the vCPUs (VMCLEARing their VMCS) and the EPT. */
void vmx_vm_destroy(struct vmx_vm *s);
/* Drop EPT translations; the flush waits for vmx_vm_flush(). */
void vmx_vm_zap(struct vmx_vm *s, u64 gpa, u64 size);
/* If a flush is owed, INVEPT before the VM's next entry. */
void vmx_vm_flush(struct vmx_vm *s);
/* Map a block around gpa (hv/arch_npt.h), at most cfg's largest EPT
 * page. */
int vmx_vm_map(struct vmx_vm *s, u64 gpa, phys_addr_t hpa, unsigned int order,
	       bool writable);

/* A vCPU without guest state: 0, -ENOMEM, -EINVAL (too many). */
int vmx_vcpu_create(struct vmx_vm *s, struct vmx_vcpu **out);
/* Load the guest environment contract's state for entry e. */
int vmx_vcpu_enter(struct vmx_vcpu *v, const struct vmm_entry *e);
u64 vmx_vcpu_get_reg(const struct vmx_vcpu *v, enum arch_reg r);
void vmx_vcpu_set_reg(struct vmx_vcpu *v, enum arch_reg r, u64 val);
/* Step over the instruction at RIP, dropping the STI/MOV SS shadow. */
void vmx_vcpu_complete(struct vmx_vcpu *v, u64 next_rip);
/* Inject a hardware exception at the next entry (VM-entry interruption
 * information, SDM vol. 3C 25.8.3). */
void vmx_vcpu_inject(struct vmx_vcpu *v, u8 vector, u32 error_code);

/*
 * What the next entry of v owes: a VPID of space's current generation
 * (a new generation flushes every VPID) and the VM's INVEPT. -EIO when
 * the EPT audit finds a flush owed that no path handed to the VM
 * (vmx_vcpu_run() refuses to enter then).
 */
int vmx_prepare_entry(struct vmx_vcpu *v, struct vmx_vpid_space *space,
		      struct vmx_flush *f);

/* One VMCS field and its value. */
struct vmcs_write {
	u32 field;
	u64 val;
};

#define VMX_IMAGE_MAX 72

/*
 * The VMCS fields of v's controls and guest state (the contract's, from
 * vmx_vcpu_enter()), host state excluded: what the hardware path VMWRITEs
 * before the first entry after vmx_vcpu_enter(). Returns the count.
 */
unsigned int vmx_vmcs_image(const struct vmx_vcpu *v,
			    struct vmcs_write out[VMX_IMAGE_MAX]);

/*
 * One entry into the guest and its decoded exit: the flushes it owes,
 * VMLAUNCH/VMRESUME, the exit fields read back. Host interrupts stay
 * masked in the host but end the guest's run (external-interrupt
 * exiting); the host takes one right after the exit, and an NMI exit's
 * NMI through the host's own vector 2. Turns VMX on in this CPU first.
 * 0, -EINVAL when the vCPU was never entered, -ENODEV without VMX.
 */
int vmx_vcpu_run(struct vmx_vcpu *v, struct arch_exit *x);

/* After an exit that entered the guest: the event whose delivery it
 * interrupted (IDT-vectoring information) is injected at the next
 * entry, unless it was a software interrupt or exception, which the
 * guest raises again; else nothing is. */
void vmx_reinject(struct vmx_vcpu *v);

/* Decode v->exit into *x. Split from the world switch so that the host
 * build drives it with hand-made exits. */
void vmx_decode_exit(struct vmx_vcpu *v, struct arch_exit *x);
/* The TDCALL exit (reason 77) as the #UD SVM reports for the instruction
 * (hv/vmx_tdx.c). */
void vmx_tdx_decode_tdcall(struct arch_exit *x);

/* Printable names (SDM vol. 3D appendix C; vol. 3C 31.4 "VM Instruction
 * Error Numbers"). Never NULL. */
const char *vmx_exit_name(u32 reason);
const char *vmx_insn_error_name(u32 error);

/* One block of text describing the vCPU's state and last exit (exit
 * reason and name, qualification, GPA, interruption information, RIP,
 * RSP, RFLAGS, every GPR, CR3) and, for an EPT exit, the EPT entries
 * walked for its GPA. Returns the length it needed, like snprintf. */
int vmx_format_state(char *buf, size_t n, const struct vmx_vcpu *v);
/* Print vmx_format_state() as "# " diagnostic lines with a title. */
void vmx_dump(const struct vmx_vcpu *v, const char *why);

#endif
