/* SPDX-License-Identifier: MIT */
/*
 * hv/cc.h - the security-model seam. Owns the interface a
 * confidential-computing model implements (none and sw_protected in
 * hv/cc.c; SEV-SNP in hv/snp/snp_cc.c, TDX in hv/tdx/tdx_cc.c, each as a
 * hardware implementation and a software model) and the choice of model:
 * cc_for_type() in hv/cc.c is the only place one is picked, once per VM
 * type, when vm_create() makes the VM. The VM keeps its model, and so does
 * every gmem memory the VM creates: RMP and S-EPT state belong to the
 * memory, not to a view (Linux keeps them with the inode).
 *
 * Every hook is called at exactly one place, named at the hook; a NULL
 * hook is skipped. The memory-side hooks run with the range already
 * invalidated (no vCPU can reach the pages through a stale translation).
 *
 * The memory-side hooks are the memory's model's, and the vm they get is
 * the VM whose view asked. Any VM may hold a view of a memory (hv/gmem.h),
 * so that VM may run another model, and the "prepared" state is the
 * memory's, not per VM: none and sw_protected keep no per-VM state. A
 * model that does (SNP: the memory's pages are assigned to one ASID) sets
 * one_vm, and vm_create_gmem_view() refuses a view of its memory to any
 * VM but the one that created it (Linux binds a guest_memfd to the VM
 * that made it: kvm_gmem_bind refuses another VM's file with -EINVAL),
 * unless the memory has a rebinding policy (hv/gmem.h): then a VM of the
 * same model may view it, bind it only when no other VM does, and gets
 * it only through the policy's punch, which drops the model's state.
 */
#ifndef GMV_HV_CC_H
#define GMV_HV_CC_H

#include "hv/arch.h"
#include "hv/vmm.h"
#include "lib/types.h"

struct vm;
struct insn;

/* A gfn no binding of the VM maps (convert() on an unbound block). */
#define CC_NO_GFN (~0ULL)

/* Where the exit policy learns whether a guest access is private. */
enum cc_private_source {
	CC_PRIVATE_NEVER, /* no private memory (default VMs) */
	/* The gfn's private attribute, KVM's rule for software-protected
	 * VMs (kvm_mmu_page_fault: the hardware says nothing). */
	CC_PRIVATE_ATTRIBUTE,
	/* The exit's own word (struct arch_fault.private): SNP's
	 * encrypted-access bit, TDX's shared GPA bit. */
	CC_PRIVATE_FROM_EXIT,
};

/* What a guest asked of the model (the guest-side entry points). */
enum cc_guest_kind {
	/* A confidential-computing instruction trapped as #UD (PVALIDATE,
	 * RMPADJUST, TDCALL, ...): .insn. */
	CC_GUEST_INSN,
	/* VMGEXIT: the GHCB protocol, page-state changes among it. */
	CC_GUEST_VMGEXIT,
	/* KVM_HC_MAP_GPA_RANGE, what MapGPA and page-state changes become
	 * for the VMM: .gpa, .npages, .attrs. */
	CC_GUEST_MAP_GPA,
	/* RDMSR / WRMSR: .msr_write; ECX, EDX:EAX in .regs. */
	CC_GUEST_MSR,
};

struct cc_guest_req;

/*
 * What the exit policy (hv/vcpu_exit.c) does for a model while it handles
 * a guest request: the model sits below the vCPU and reaches it only
 * through these.
 */
struct cc_guest_svc {
	/* Guest memory by GPA as the guest's shared accesses see it. 0 or
	 * -errno (-EFAULT: no memory there). */
	int (*read)(struct cc_guest_req *req, u64 gpa, void *buf, size_t len);
	int (*write)(struct cc_guest_req *req, u64 gpa, const void *buf,
		     size_t len);
	/* The guest's own page walk of va under its CR3: the GPA, alias bits
	 * included (hv/cc.h alias_bit). 0 or -EFAULT. */
	int (*translate)(struct cc_guest_req *req, u64 va, u64 *gpa);
	/* The VM's fault path for an access to gpa (no alias bit) without
	 * mapping it: the page behind it, prepared when private (*pa, the
	 * order a mapping could have). On failure (-errno) *exit holds the
	 * exit for the case (a memory fault, MMIO), RIP unchanged. */
	int (*fault_in)(struct cc_guest_req *req, u64 gpa, bool private,
			phys_addr_t *pa, unsigned int *order,
			struct vmm_exit *exit);
	/* Drop the VM's translations of [gpa, gpa + size) of both kinds and
	 * flush: the next access faults and is checked again. */
	void (*zap)(struct cc_guest_req *req, u64 gpa, u64 size);
	/* Deliver an exception to the guest at the next entry. */
	void (*inject)(struct cc_guest_req *req, u8 vector, u32 error_code);
};

struct cc_guest_req {
	enum cc_guest_kind kind;
	struct vm *vm;
	unsigned int vcpu; /* the vCPU's index in its VM */
	const struct insn *insn; /* CC_GUEST_INSN, CC_GUEST_VMGEXIT */
	u64 gpa, npages, attrs; /* CC_GUEST_MAP_GPA */
	bool msr_write; /* CC_GUEST_MSR */
	const struct cc_guest_svc *svc;
	void *svc_ctx; /* the exit policy's own */
	/* The guest's registers (enum arch_reg order, RIP included): the
	 * hook reads them and may change them; they are written back when
	 * it returns CC_GUEST_RESUME. */
	u64 regs[ARCH_NR_REGS];
	/* Why the request failed (-errno returns), for the exit's message. */
	char why[96];
};

/* What guest() returns besides -errno (an internal-error exit). */
#define CC_GUEST_UNHANDLED 0 /* the model leaves it to the exit policy */
#define CC_GUEST_RESUME 1 /* done: resume the guest with req->regs */
/* *exit is filled for the case; a memory fault there (fault_in's) ends
 * the run with -EFAULT. */
#define CC_GUEST_EXIT 2
/* *exit is filled for the case, and the model completes it before the
 * guest runs again (guest_complete). */
#define CC_GUEST_EXIT_OWED 3

/* What access() returns besides 0 and -errno. */
#define CC_ACCESS_INJECTED 1 /* an exception was injected: resume unmapped */

struct cc_ops {
	const char *name;
	unsigned long vm_type; /* GMV_VM_* it models */
	enum cc_private_source private_source;
	/* A GPA bit that tells a guest's private access from its shared
	 * one where the hardware's exit says nothing of its own (0: none),
	 * and its sense: alias_shared false, the bit set marks a private
	 * access (the SEV-SNP model under an SVM without SEV keeps the
	 * guest's C-bit, bit 47, in the GPA); true, the bit set marks a
	 * shared one (TDX's shared bit, GPA bit 47 with GPAW 48, Intel TDX
	 * base architecture spec "GPA Shared Bit"). The exit policy strips
	 * it from a fault and maps the page at the GPA with the bit as the
	 * access had it (cc_alias_of()), so the second-level table holds
	 * private and shared translations apart (docs/ARCHITECTURE.md,
	 * "SEV-SNP guests"). */
	u64 alias_bit;
	bool alias_shared;
	/* The memory's pages carry per-VM state (above): only the creating
	 * VM may view its memory. */
	bool one_vm;
	/* NULL where the model runs here; a hardware implementation says
	 * why it cannot (no SNP, no TDX module), and cc_for_type() moves on
	 * to the next implementation of the type. */
	const char *(*lacks)(void);

	/* Where vCPUs run: NULL when the model's VMs can run guests too,
	 * else why not. A NULL hook: they can. */
	const char *(*guest_lacks)(void);

	/* vm_create, after the VM's architecture state: the model's
	 * per-VM state (an ASID, a TDR). 0 or -errno, nothing held. */
	int (*vm_init)(struct vm *vm);
	/* vm_put, when the VM goes, before its architecture state. */
	void (*vm_destroy)(struct vm *vm);

	/* gmem_get_pfn(), at a private page's first use since it was
	 * allocated or last made shared, before anything maps it: 2^order
	 * pages at pa (naturally aligned) back gfn onwards in vm, all in one
	 * binding. A block of which some pages are prepared already gets one
	 * call per page still unprepared. On error the fault fails with it
	 * and the pages of that call stay unprepared. */
	int (*prepare)(struct vm *vm, u64 gfn, phys_addr_t pa,
		       unsigned int order);
	/* gmem, before 2^order pages at pa go back to the allocator (which
	 * scrubs them): a punch, or the memory's last view closed. 0, or
	 * -errno when the model could not take the pages back from the
	 * guest (an RMP entry it could not make hypervisor-owned): gmem
	 * then never frees them (OWN_LEAKED, as Linux's snp_leak_pages()),
	 * and the punch or close goes on. */
	int (*invalidate)(phys_addr_t pa, unsigned int order);
	/* gmem, before the 2 MiB block at pa is split into 4 KiB pages (a
	 * punch of part of it). On error the punch stops with it, the block
	 * whole. */
	int (*split)(phys_addr_t pa);
	/* gmem_convert(), step 5, per backed block whose state changes, in
	 * index order: vm is the VM whose view asked, gfn where its first
	 * binding maps the block's first page (CC_NO_GFN if none does). A
	 * failure undoes the blocks already done, in reverse order, with
	 * the opposite direction, which must not fail. When a conversion
	 * to shared fails, the pages of the whole range lose their prepared
	 * mark (the model may have let some go: SNP made them
	 * hypervisor-owned), so the next private fault prepares them again.
	 * A 4 KiB block may lie inside a 2 MiB block prepared whole: the
	 * model splits its own entry (SNP's PSMASH) there; gmem's backing
	 * is not split. */
	int (*convert)(struct vm *vm, u64 gfn, phys_addr_t pa,
		       unsigned int order, bool to_private);
	/* gmem_unbind() (a memslot deleted), per backed block of the
	 * binding that is prepared, in index order: gfn onwards of vm stop
	 * mapping the 2^order pages at pa. The model drops its private
	 * mapping of them (TDX: block, track, kick, remove, as KVM zaps the
	 * S-EPT of a deleted slot); the pages stay in the memory,
	 * unprepared, so the next private fault through any binding
	 * prepares them again. A failure is reported and the pages stay
	 * the model's (KVM_BUG_ON in KVM). NULL: the model keeps them
	 * (SNP: an RMP entry keeps its GPA across a slot's deletion). */
	int (*unmap)(struct vm *vm, u64 gfn, phys_addr_t pa,
		     unsigned int order);
	/* gmem_get_pfn(), before prepare(): the largest mapping order the
	 * model allows for the page at pa behind gfn (an RMP entry's size,
	 * an S-EPT level); the fault maps no larger. */
	unsigned int (*max_order)(struct vm *vm, u64 gfn, phys_addr_t pa);

	/* gmem_check_all(), for every backed page of a memory of this
	 * model: vm owns the memory's first view, gfn is where that view
	 * binds the page (CC_NO_GFN if nowhere), private and prepared its
	 * gmem state. Returns 1 when the model holds the page (an assigned
	 * RMP entry), 0 when not, -EIO after printing what is wrong. */
	int (*check_page)(struct vm *vm, u64 gfn, phys_addr_t pa, bool private,
			  bool prepared);
	/* gmem_check_all(), after every page: check_page() said 'held'
	 * pages are held; the model checks it holds no other page (none
	 * freed or shared while still assigned). 0 or -EIO. */
	int (*check_held)(u64 held);

	/* hv/vcpu_exit.c: a guest request (enum cc_guest_kind). Returns
	 * CC_GUEST_UNHANDLED, CC_GUEST_RESUME, CC_GUEST_EXIT or -errno. */
	int (*guest)(struct cc_guest_req *req, struct vmm_exit *exit);
	/* hv/vcpu_exit.c vcpu_complete(): the case answered an exit that
	 * guest() returned as CC_GUEST_EXIT_OWED (*exit as the case left
	 * it). CC_GUEST_RESUME (req->regs written back, RIP included),
	 * CC_GUEST_EXIT_OWED with *next the request's next exit, sent to the
	 * case before the guest runs again (TDX's MapGPA goes to the VMM in
	 * 2 MiB chunks), or -errno. exit NULL: the case moved RIP, so the
	 * request is dropped unanswered (nothing is completed then, as for
	 * every exit; next is NULL too). */
	int (*guest_complete)(struct cc_guest_req *req,
			      const struct vmm_exit *exit,
			      struct vmm_exit *next);
	/* vm_launch_update(), per 4 KiB page of the range after the fault
	 * path prepared it (vm_in_launch() true while it did): the launch's
	 * measurement step (SNP: the page Validated, as SNP_LAUNCH_UPDATE
	 * leaves it; TDX: TDH.MR.EXTEND of its 16 chunks, after prepare's
	 * PAGE.ADD). 0 or -errno. NULL: the model has no launch (-EINVAL). */
	int (*launch_update)(struct vm *vm, u64 gfn, phys_addr_t pa);
	/* vcpu_create(), before the VM's first vCPU is made: the launch
	 * ends (gmemvisor's VMs pass LAUNCH_FINISH there; TDX:
	 * TDH.MR.FINALIZE, as KVM_TDX_FINALIZE_VM). 0 or -errno, which
	 * fails the vCPU's creation. */
	int (*launch_finish)(struct vm *vm);
	/* hv/vcpu_exit.c, a private guest access the fault path resolved
	 * to the page at pa, before it is mapped: the hardware's own checks
	 * of the access where a model stands in for them (SNP's RMP checks,
	 * APM vol. 2 Table 15-39). 0: map, no larger than *order (which it
	 * may lower); CC_ACCESS_INJECTED: the model injected an exception
	 * through req->svc; -errno: an internal error, req->why says. The
	 * request carries no registers here (req->regs is not filled: the
	 * fault path is hot). */
	int (*access)(struct cc_guest_req *req, u64 gpa, phys_addr_t pa,
		      bool write, unsigned int *order);
};

/* The alias bit a translation of the given kind carries (hv/cc.h
 * alias_bit): the bit where its sense is that kind, else 0. */
static inline u64 cc_alias_of(const struct cc_ops *cc, bool private)
{
	return private != cc->alias_shared ? cc->alias_bit : 0;
}

/* Why this CPU's guests cannot use GPA bit 'bit' as the model 'name'
 * keeps its alias bit there (cc_ops.alias_bit): too few guest physical
 * address bits, say how many and how QEMU gives more. NULL: they can. */
const char *cc_alias_bit_lacks(unsigned int bit, const char *name);

/* The model for VMs of type (NULL: no model runs such VMs here). */
const struct cc_ops *cc_for_type(unsigned long type);
/* The GMV_VM_* types some model runs here, as a bit mask. */
u64 cc_supported_types(void);

/* gmem_check_all(): held[i] pages of memories whose model is models[i]
 * (n of them) were reported held; run check_held() of every registered
 * model that has one and is the one cc_for_type() picks for its type,
 * with 0 where no memory uses it. 0 or -EIO. */
int cc_check_held(const struct cc_ops *const *models, const u64 *held,
		  unsigned int n);

/* For host unit tests: VMs of ops->vm_type made from now on use ops (NULL
 * clears it). Returns the previous override. */
const struct cc_ops *cc_use(const struct cc_ops *ops);

#endif
