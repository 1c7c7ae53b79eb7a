/* SPDX-License-Identifier: MIT */
/*
 * hv/vm_int.h - the layout of VMs and memslots, shared by vm.c, vm_fault.c
 * and vm_check.c only.
 */
#ifndef GMV_HV_VM_INT_H
#define GMV_HV_VM_INT_H

#include "hv/arch.h"
#include "hv/cc.h"
#include "hv/gmem.h"
#include "hv/base/list.h"
#include "hv/base/ranges.h"
#include "hv/vm.h"
#include "hv/base/xmap.h"

struct memslot {
	u16 id;
	u32 flags;
	u64 base_gfn, npages;
	bool gmem_only; /* bound to an MMAP gmem (KVM_MEMSLOT_GMEM_ONLY) */
	struct gmem_binding gb; /* GUEST_MEMFD slots */
	struct xmap mem; /* the slot's own memory: page -> page */
	u64 mem_pages;
};

struct vm {
	unsigned long type;
	u64 id; /* never reused (gmem_owner_ops.id) */
	const struct cc_ops *cc; /* chosen for the type in vm_create */
	void *cc_state; /* the model's per-VM state (vm_cc_state()) */
	u32 refs;
	struct ranges slots; /* gfn ranges -> struct memslot */
	struct xmap ids; /* slot id -> struct memslot */
	struct ranges private_gfns;
	/* Made in vm_create; NULL where no backend runs. */
	const struct arch_ops *arch;
	struct arch_vm *arch_vm;
	struct vcpu *vcpus[ARCH_MAX_VCPUS];
	unsigned int nr_vcpus;
	bool in_launch; /* vm_launch_update() is preparing its pages */
	bool flush_owed;
	struct vm_zap_log zaps;
	struct list_head node; /* on vm_all */
};

/* Every live VM. */
extern struct list_head vm_all;

static inline struct memslot *vm_slot_of(const struct vm *vm, u64 gfn)
{
	struct range *r = ranges_lookup(&vm->slots, gfn);

	return r ? r->data : NULL;
}

#endif
