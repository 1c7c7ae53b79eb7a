/* SPDX-License-Identifier: MIT */
/*
 * hv/vm.h - VM objects of the native backend. Owns each VM's type, memslots
 * (KVM_SET_USER_MEMORY_REGION2 semantics, kvm_set_memory_region) with the
 * slots' own "userspace" memory, the per-gfn memory attributes
 * (KVM_SET_MEMORY_ATTRIBUTES, Documentation/virt/kvm/api.rst), its
 * architecture state (the vCPU backend's VM, hv/arch.h, made with the VM,
 * which its invalidations reach) and its vCPUs, and the guest fault path:
 * gfn -> (page, max_order) or a memory-fault exit (KVM_EXIT_MEMORY_FAULT,
 * Documentation/virt/kvm/api.rst).
 *
 * Lifetime (as in virt/kvm/guest_memfd.c): a VM lives while its handle or any
 * gmem view it owns is open. Memslot bindings hold nothing on the views.
 *
 * Private memory and in-place conversion (VMs with private memory only;
 * default VMs have no private gfns and never check shareability, as 6.18
 * lets the guest use an MMAP gmem the host cannot map, G91):
 *  - a gfn's private/shared state ("attribute") comes from the gmem
 *    memory's shareability when the gfn lies in a gmem-only slot (bound to
 *    an MMAP gmem): the upstream in-place series, where gmem state replaces
 *    the per-VM PRIVATE bit. Elsewhere it is the VM's PRIVATE attribute
 *    (KVM_SET_MEMORY_ATTRIBUTES), the 6.8-6.18 scheme. The VM attribute is
 *    still stored for gmem-only ranges, just not consulted there.
 *  - an access whose kind differs from the attribute is a
 *    KVM_EXIT_MEMORY_FAULT; a private access must also land on a private
 *    gmem page, so a page the host can touch is never mapped private.
 * Attribute changes never touch gmem state and conversions never touch VM
 * attributes (each invalidates what it changes).
 */
#ifndef GMV_HV_VM_H
#define GMV_HV_VM_H

#include "lib/types.h"

struct vm;
struct vcpu;
struct gmem_view;
struct cc_ops;
struct arch_ops;
struct arch_vm;
struct arch_xlate;

/* The last VM_ZAP_LOG zaps (zap n is last[n % VM_ZAP_LOG]) and counts. */
#define VM_ZAP_LOG 32
/* A memslot's GPAs end below 2^VM_MAX_GPA_BITS (hv/vm.c). */
#define VM_MAX_GPA_BITS 52
struct vm_zap_log {
	u64 nr_zaps, nr_flushes;
	struct {
		u64 gfn_start, gfn_end;
	} last[VM_ZAP_LOG];
};

/* KVM_CREATE_VM: a type some security model runs here
 * (cc_supported_types(): DEFAULT, SW_PROTECTED, SNP), else -EINVAL; -ENOMEM,
 * -EBUSY (no SNP ASID left), or
 * the backend's or the model's vm_init() error, with nothing held. The
 * backend is arch_select()'s; with none (the host build), the VM has no
 * architecture state and no vCPUs. */
int vm_create(unsigned long type, struct vm **out);
/* Take another reference (a vCPU's); vm_put() drops it. */
void vm_get(struct vm *vm);
/* Drop the handle's reference. */
void vm_put(struct vm *vm);
unsigned long vm_type(const struct vm *vm);
/* The VM's security model (hv/cc.h), chosen for its type. */
const struct cc_ops *vm_cc(const struct vm *vm);
/* Has the VM private memory (its model's private_source)? */
bool vm_has_private_mem(const struct vm *vm);
/* The VM's backend and its state (hv/arch.h), NULL where none runs. */
const struct arch_ops *vm_arch(const struct vm *vm);
struct arch_vm *vm_arch_vm(const struct vm *vm);
/* The security model's per-VM state: set by its vm_init(), freed by its
 * vm_destroy() (NULL until then). */
void *vm_cc_state(const struct vm *vm);
void vm_set_cc_state(struct vm *vm, void *state);
/* The translation of gpa in the VM's second-level table, its private
 * alias first where the model has one: 0, or -ENOENT (also without a
 * backend). */
int vm_lookup_gpa(const struct vm *vm, u64 gpa, struct arch_xlate *x);
/* The VM keeps its vCPUs (hv/vcpu.h) and frees them when it goes:
 * vm_add_vcpu() takes one more (the caller checked vm_nr_vcpus() <
 * ARCH_MAX_VCPUS) and returns its index. */
unsigned int vm_nr_vcpus(const struct vm *vm);
unsigned int vm_add_vcpu(struct vm *vm, struct vcpu *c);

/* What a kernel with every feature here answers; vm NULL = /dev/kvm. */
u64 vm_supported_types(void);
u64 vm_supported_gmem_flags(const struct vm *vm);
u64 vm_supported_attributes(const struct vm *vm);

/* KVM_CREATE_GUEST_MEMFD on the VM (checks in gmem_create). */
int vm_create_gmem(struct vm *vm, u64 size, u64 flags, struct gmem_view **out);
/* A view of of's memory owned by vm. Any VM may view any memory (the
 * INIT_SHARED rule, G4, is about creating a gmem, not about seeing one),
 * except a memory whose model binds it to its VM (cc_ops.one_vm: SNP),
 * which another VM may not view: -EINVAL; with a rebinding policy
 * (hv/gmem.h) a VM of the same model may. */
int vm_create_gmem_view(struct vm *vm, struct gmem_view *of,
			struct gmem_view **out);

/* gmem_overlay() of overlay on golden's image, through a view owned by
 * the overlay's VM. */
int vm_gmem_overlay(struct gmem_view *overlay, struct gmem_view *golden);

/* KVM_SET_USER_MEMORY_REGION2, with the guest_memfd argument resolved by
 * the caller: gmem, or gmem_err (-EBADF, -EINVAL) reported when the bind
 * step looks at it. */
struct vm_region {
	u32 slot; /* bits 15:0 slot id, 31:16 address space */
	u32 flags;
	u64 gpa, size, gmem_offset;
	struct gmem_view *gmem;
	int gmem_err;
};
int vm_set_region(struct vm *vm, const struct vm_region *r);

/* KVM_SET_MEMORY_ATTRIBUTES (kvm_vm_ioctl_set_mem_attributes). */
int vm_set_attributes(struct vm *vm, u64 gpa, u64 size, u64 attrs, u64 flags);
/* Is the gfn private (see above)? What a SW_PROTECTED fault handler takes
 * as the kind of an access (Linux derives it the same way). */
bool vm_gfn_private(const struct vm *vm, u64 gfn);

/* A guest access to resolve. */
#define VM_ACCESS_WRITE 1u
#define VM_ACCESS_PRIVATE 2u
/* The VMM's own access through a slot's shared backing (its "userspace"
 * mapping): the PRIVATE attribute and READONLY are not consulted. */
#define VM_ACCESS_HOST 4u
/* With PRIVATE: the gmem page for a launch to fill, not prepared
 * (GMEM_FAULT_POPULATE). */
#define VM_ACCESS_POPULATE 8u
struct vm_fault {
	u64 gpa;
	unsigned int access;
	/* On success: the page, the largest mapping order allowed, and
	 * whether the page is gmem's (else the slot's own memory). */
	phys_addr_t pa;
	unsigned int max_order;
	bool from_gmem;
	bool writable; /* the slot takes writes too */
	/* On failure: the exit the vCPU reports (kvm_run layout). */
	u32 exit_reason;
	u64 exit_flags, exit_gpa, exit_size;
};

/*
 * The fault path (kvm_mmu_faultin_pfn_gmem, arch/x86/kvm/mmu/mmu.c): 0 with
 * pa/max_order; -EFAULT with a KVM_EXIT_MEMORY_FAULT (vm_memory_fault())
 * for an access whose kind differs from the gfn's attribute, a private
 * access outside a gmem slot or to a shared gmem page, or a gmem slot
 * whose view is gone (G93);
 * -ENOENT with KVM_EXIT_MMIO when no slot takes the access (G95) or it
 * writes a read-only slot; -ENOMEM, with a memory-fault exit too.
 */
int vm_fault(struct vm *vm, struct vm_fault *f);
/* vmm_ops.launch_update (hv/vmm.h): each page of [gpa, gpa + size)
 * through the fault path as a private access, then the model's
 * launch_update hook. */
int vm_launch_update(struct vm *vm, u64 gpa, u64 size);
/* Is the fault path preparing pages for vm_launch_update() (its model
 * adds and measures them there: TDX's PAGE.ADD)? */
bool vm_in_launch(const struct vm *vm);
/* Drop the VM's translations of [gfn_start, gfn_end) of both kinds
 * (aliases included) and flush: the next access faults. */
void vm_zap_range(struct vm *vm, u64 gfn_start, u64 gfn_end);
/*
 * Describe f's access as a KVM_EXIT_MEMORY_FAULT in f->exit_* (gpa of the
 * page, size 4096, PRIVATE flag iff the access was private) and return
 * err: the one place that exit is made, for the fault path's failures and
 * for a vCPU that could not map what the fault path gave it.
 */
int vm_memory_fault(struct vm_fault *f, int err);
/* Guest loads/stores of len bytes at gpa, page by page through
 * vm_fault(); stops at the first failure with f describing it. */
int vm_guest_access(struct vm *vm, u64 gpa, void *buf, size_t len,
		    unsigned int access, struct vm_fault *f);

const struct vm_zap_log *vm_zaps(const struct vm *vm);
/* Was [gfn_start, gfn_end) zapped by zap number 'since' or later? */
bool vm_zapped_since(const struct vm *vm, u64 since, u64 gfn_start,
		     u64 gfn_end);

/* Live VMs, and the invariant check over all of them: slot indexes
 * consistent, bindings pointing back at their slots and held by their
 * views, gmem-only exactly for MMAP gmems, attribute extents well formed,
 * slot memory accounted, no flush owed; in a slot over an overlay every
 * translation reaches the page backing its gfn now, a golden page never
 * writable. 0 or -EIO. */
u64 vm_nr_live(void);
int vm_check_all(void);

#endif
