// SPDX-License-Identifier: MIT
/*
 * hv/vm.c - VM objects: creation and lifetime, the architecture state and
 * vCPUs a VM holds, the gmem views it owns, memslots and memory
 * attributes, and invalidation (see hv/vm.h). The fault path is in
 * vm_fault.c, the checker in vm_check.c.
 */
#include "hv/vm_int.h"
#include "hv/alloc.h"
#include "hv/arch.h"
#include "hv/base/kmalloc.h"
#include "hv/kvm_abi.h"
#include "hv/vcpu.h"
#include "lib/errno.h"

/* Guest physical addresses end at 2^VM_MAX_GPA_BITS (kvm_mmu_max_gfn()
 * without TDP; with TDP KVM takes the host's MAXPHYADDR). */
#define VM_MAX_GFN ((1ULL << (VM_MAX_GPA_BITS - PAGE_SHIFT)) - 1)
/* No SMM: one memslot address space (KVM_CAP_MULTI_ADDRESS_SPACE 0). */
#define VM_NR_AS_IDS 1

struct list_head vm_all = LIST_HEAD_INIT(vm_all);

/* ------------------------------------------------------- invalidation */

static void vm_zap(struct vm *vm, u64 gfn_start, u64 gfn_end,
		   unsigned int filter)
{
	u64 n = vm->zaps.nr_zaps++ % VM_ZAP_LOG;

	vm->zaps.last[n].gfn_start = gfn_start;
	vm->zaps.last[n].gfn_end = gfn_end;
	if (vm->arch) {
		u64 gpa = gfn_start << PAGE_SHIFT;
		u64 size = (gfn_end - gfn_start) << PAGE_SHIFT;
		u64 alias = vm->cc->alias_bit;
		unsigned int kind = vm->cc->alias_shared ? ARCH_ZAP_SHARED
							 : ARCH_ZAP_PRIVATE;

		vm->arch->zap(vm->arch_vm, gpa, size, filter);
		/* One kind of page is mapped at its alias (hv/cc.h): SNP's
		 * private ones, TDX's shared ones. */
		if (alias && (filter & kind))
			vm->arch->zap(vm->arch_vm, gpa | alias, size, kind);
	}
	vm->flush_owed = true;
}

static void vm_flush(struct vm *vm)
{
	if (vm->arch)
		vm->arch->flush(vm->arch_vm);
	vm->zaps.nr_flushes++;
	vm->flush_owed = false;
}

/* Zap the parts of [start, end) that memslots cover; flush once. */
static void zap_gfns(struct vm *vm, u64 start, u64 end, unsigned int filter)
{
	struct ranges *s = &vm->slots;
	bool any = false;

	for (u32 i = ranges_first_after(s, start);
	     i < s->n && s->v[i].start < end; i++) {
		vm_zap(vm, MAX(start, s->v[i].start), MIN(end, s->v[i].end),
		       filter);
		any = true;
	}
	if (any)
		vm_flush(vm);
}

void vm_zap_range(struct vm *vm, u64 gfn_start, u64 gfn_end)
{
	zap_gfns(vm, gfn_start, gfn_end, ARCH_ZAP_ALL);
}

const struct vm_zap_log *vm_zaps(const struct vm *vm)
{
	return &vm->zaps;
}

bool vm_zapped_since(const struct vm *vm, u64 since, u64 gfn_start, u64 gfn_end)
{
	u64 n = vm->zaps.nr_zaps;

	if (n - since > VM_ZAP_LOG)
		since = n - VM_ZAP_LOG;
	for (u64 i = since; i < n; i++)
		if (vm->zaps.last[i % VM_ZAP_LOG].gfn_start == gfn_start &&
		    vm->zaps.last[i % VM_ZAP_LOG].gfn_end == gfn_end)
			return true;
	return false;
}

/* What the VM's gmem views call. */
static void owner_zap(void *owner, u64 gfn_start, u64 gfn_end,
		      unsigned int filter)
{
	vm_zap(owner, gfn_start, gfn_end, filter);
}

static void owner_flush(void *owner)
{
	vm_flush(owner);
}

static void owner_release(void *owner)
{
	vm_put(owner);
}

static u64 owner_id(void *owner)
{
	return ((struct vm *)owner)->id;
}

static const struct gmem_owner_ops vm_owner_ops = {
	.zap = owner_zap,
	.flush = owner_flush,
	.release = owner_release,
	.id = owner_id,
};

/* ------------------------------------------------------------ VMs */

u64 vm_supported_types(void)
{
	return cc_supported_types();
}

int vm_create(unsigned long type, struct vm **out)
{
	static u64 last_id;
	const struct cc_ops *cc = cc_for_type(type);
	struct vm *vm;
	int r;

	if (!cc)
		return -EINVAL;
	vm = kmalloc(sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->type = type;
	vm->id = ++last_id;
	vm->cc = cc;
	vm->cc_state = NULL;
	vm->refs = 1;
	/* The architecture's state first: the model's may build on it. */
	vm->arch = arch_select();
	r = vm->arch ? vm->arch->vm_init(type, &vm->arch_vm) : 0;
	if (r)
		goto free;
	r = cc->vm_init ? cc->vm_init(vm) : 0;
	if (r)
		goto destroy;
	list_add(&vm->node, &vm_all);
	*out = vm;
	return 0;
destroy:
	if (vm->arch)
		vm->arch->vm_destroy(vm->arch_vm);
free:
	kfree(vm, sizeof(*vm));
	return r;
}

void *vm_cc_state(const struct vm *vm)
{
	return vm->cc_state;
}

void vm_set_cc_state(struct vm *vm, void *state)
{
	vm->cc_state = state;
}

const struct cc_ops *vm_cc(const struct vm *vm)
{
	return vm->cc;
}

bool vm_has_private_mem(const struct vm *vm)
{
	return vm->cc->private_source != CC_PRIVATE_NEVER;
}

const struct arch_ops *vm_arch(const struct vm *vm)
{
	return vm->arch;
}

struct arch_vm *vm_arch_vm(const struct vm *vm)
{
	return vm->arch_vm;
}

int vm_lookup_gpa(const struct vm *vm, u64 gpa, struct arch_xlate *x)
{
	u64 alias = vm->cc->alias_bit;

	if (!vm->arch)
		return -ENOENT;
	/* A page of one kind is mapped at its alias (hv/cc.h). */
	if (alias && !vm->arch->lookup(vm->arch_vm, gpa | alias, x))
		return 0;
	return vm->arch->lookup(vm->arch_vm, gpa, x);
}

bool vm_in_launch(const struct vm *vm)
{
	return vm->in_launch;
}

unsigned int vm_nr_vcpus(const struct vm *vm)
{
	return vm->nr_vcpus;
}

unsigned int vm_add_vcpu(struct vm *vm, struct vcpu *c)
{
	vm->vcpus[vm->nr_vcpus] = c;
	return vm->nr_vcpus++;
}

u64 vm_supported_gmem_flags(const struct vm *vm)
{
	/* kvm_gmem_get_supported_flags (virt/kvm/guest_memfd.c), G2-G4:
	 * INIT_SHARED only where there is no private memory (always offered on
	 * /dev/kvm). */
	if (vm && vm_has_private_mem(vm))
		return GMV_GMEM_FLAG_MMAP;
	return GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED;
}

u64 vm_supported_attributes(const struct vm *vm)
{
	/* kvm_supported_mem_attributes (virt/kvm/kvm_main.c), G6. */
	if (!vm || vm_has_private_mem(vm))
		return GMV_MEMORY_ATTRIBUTE_PRIVATE;
	return 0;
}

static void slot_free_mem(struct memslot *s)
{
	void *page;
	u64 idx;

	xmap_for_each(&s->mem, idx, page, 0, XMAP_MAX_INDEX)
		free_page(hv_pool, page, OWN_VM);
	xmap_destroy(&s->mem);
}

static void slot_delete(struct vm *vm, struct memslot *s)
{
	/* kvm_invalidate_memslot: no translation survives the delete. */
	vm_zap(vm, s->base_gfn, s->base_gfn + s->npages, ARCH_ZAP_ALL);
	vm_flush(vm);
	gmem_unbind(&s->gb);
	slot_free_mem(s);
	ranges_remove(&vm->slots, s->base_gfn);
	xmap_erase(&vm->ids, s->id);
	kfree(s, sizeof(*s));
}

void vm_get(struct vm *vm)
{
	vm->refs++;
}

unsigned long vm_type(const struct vm *vm)
{
	return vm->type;
}

void vm_put(struct vm *vm)
{
	if (--vm->refs)
		return;
	/* No view of this VM is left, so every binding is detached. */
	while (vm->slots.n)
		slot_delete(vm, vm->slots.v[0].data);
	if (vm->cc->vm_destroy)
		vm->cc->vm_destroy(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_free(vm->vcpus[i]);
	if (vm->arch)
		vm->arch->vm_destroy(vm->arch_vm);
	ranges_destroy(&vm->slots);
	ranges_destroy(&vm->private_gfns);
	xmap_destroy(&vm->ids);
	list_del(&vm->node);
	kfree(vm, sizeof(*vm));
}

int vm_create_gmem(struct vm *vm, u64 size, u64 flags, struct gmem_view **out)
{
	int r;

	/* The view holds a reference on the VM (__kvm_gmem_create takes one
	 * with kvm_get_kvm, kvm_gmem_release drops it). */
	vm->refs++;
	/* The rebinding policies are gmemvisor's own: KVM_CAP_GUEST_MEMFD_
	 * FLAGS keeps Linux's meaning and does not list them. */
	r = gmem_create(size, flags,
			vm_supported_gmem_flags(vm) | GMEM_POLICY_FLAGS, vm->cc,
			vm, &vm_owner_ops, out);
	if (r)
		vm->refs--;
	return r;
}

int vm_create_gmem_view(struct vm *vm, struct gmem_view *of,
			struct gmem_view **out)
{
	int r;

	/* Every view of a one_vm memory is its creator's (by induction from
	 * the first), so of's owner is that VM; unless a rebinding policy
	 * hands it over, to a VM of the same model (hv/gmem.h). */
	if (gmem_view_cc(of)->one_vm && gmem_view_owner(of) != vm &&
	    !((gmem_view_flags(of) & GMEM_POLICY_FLAGS) &&
	      gmem_view_cc(of) == vm->cc))
		return -EINVAL;
	vm->refs++;
	r = gmem_view_create(of, vm, &vm_owner_ops, out);
	if (r)
		vm->refs--;
	return r;
}

int vm_gmem_overlay(struct gmem_view *overlay, struct gmem_view *golden)
{
	struct vm *vm = gmem_view_owner(overlay);
	int r;

	/* The overlay's view of the golden image holds the VM as any view
	 * does. */
	vm->refs++;
	r = gmem_overlay(overlay, golden, vm, &vm_owner_ops);
	if (r)
		vm->refs--;
	return r;
}

/* ---------------------------------------------------------- memslots */

static int check_region_flags(const struct vm *vm, u32 flags)
{
	u32 valid = GMV_MEM_LOG_DIRTY_PAGES | GMV_MEM_GUEST_MEMFD;

	/* check_memory_region_flags: no dirty logging of gmem slots, and
	 * read-only slots only without gmem (every type here has read-only
	 * memory: none has protected state). */
	if (flags & GMV_MEM_GUEST_MEMFD)
		valid &= ~GMV_MEM_LOG_DIRTY_PAGES;
	else
		valid |= GMV_MEM_READONLY;
	return flags & ~valid ? -EINVAL : 0;
}

/* Any slot but 'id' over [start, end)? (kvm_check_memslot_overlap) */
static bool gpa_overlap(const struct vm *vm, u16 id, u64 start, u64 end)
{
	const struct ranges *s = &vm->slots;

	for (u32 i = ranges_first_after(s, start);
	     i < s->n && s->v[i].start < end; i++)
		if (((struct memslot *)s->v[i].data)->id != id)
			return true;
	return false;
}

static int slot_create(struct vm *vm, const struct vm_region *r, u16 id,
		       u64 base_gfn, u64 npages)
{
	struct memslot *s;
	int err;

	err = ranges_reserve(&vm->slots, 1);
	if (err)
		return err;
	s = kmalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->id = id;
	s->flags = r->flags;
	s->base_gfn = base_gfn;
	s->npages = npages;
	if (r->flags & GMV_MEM_GUEST_MEMFD) {
		/* kvm_gmem_bind: the handle, then its VM, range, overlap. */
		err = r->gmem ? 0 : r->gmem_err;
		if (!err && gmem_view_owner(r->gmem) != vm)
			err = -EINVAL;
		if (!err)
			err = gmem_bind(r->gmem, &s->gb, r->gmem_offset, npages,
					base_gfn);
		if (err)
			goto free;
		s->gmem_only = gmem_view_flags(r->gmem) & GMV_GMEM_FLAG_MMAP;
	}
	/* x86 kvm_arch_prepare_memory_region: inside the guest's gfns. */
	err = base_gfn + npages - 1 > VM_MAX_GFN ? -EINVAL : 0;
	if (!err)
		err = xmap_store(&vm->ids, id, s);
	if (err)
		goto unbind;
	ranges_insert(&vm->slots, base_gfn, base_gfn + npages, s);
	return 0;
unbind:
	gmem_unbind(&s->gb);
free:
	kfree(s, sizeof(*s));
	return err;
}

static int slot_move(struct vm *vm, struct memslot *s, u64 base_gfn)
{
	int err = ranges_reserve(&vm->slots, 1);

	if (err)
		return err;
	if (base_gfn + s->npages - 1 > VM_MAX_GFN)
		return -EINVAL;
	vm_zap(vm, s->base_gfn, s->base_gfn + s->npages, ARCH_ZAP_ALL);
	vm_flush(vm);
	ranges_remove(&vm->slots, s->base_gfn);
	s->base_gfn = base_gfn;
	ranges_insert(&vm->slots, base_gfn, base_gfn + s->npages, s);
	return 0;
}

/*
 * The checks of kvm_vm_ioctl_set_memory_region + kvm_set_memory_region in their
 * order (virt/kvm/kvm_main.c). The userspace address is the slot's own memory,
 * so it always "matches" when an existing slot is modified.
 */
int vm_set_region(struct vm *vm, const struct vm_region *r)
{
	u16 id = (u16)r->slot, as_id = r->slot >> 16;
	u64 base_gfn = r->gpa >> PAGE_SHIFT, npages = r->size >> PAGE_SHIFT;
	struct memslot *old;
	int err;

	if (id >= GMV_USER_MEM_SLOTS)
		return -EINVAL;
	err = check_region_flags(vm, r->flags);
	if (err)
		return err;
	if (!IS_ALIGNED(r->size, PAGE_SIZE) || !IS_ALIGNED(r->gpa, PAGE_SIZE))
		return -EINVAL;
	if ((r->flags & GMV_MEM_GUEST_MEMFD) &&
	    (!IS_ALIGNED(r->gmem_offset, PAGE_SIZE) ||
	     r->gmem_offset + r->size < r->gmem_offset))
		return -EINVAL;
	if (as_id >= VM_NR_AS_IDS)
		return -EINVAL;
	if (r->gpa + r->size < r->gpa)
		return -EINVAL;
	if (npages > GMV_MEM_MAX_NR_PAGES)
		return -EINVAL;

	old = xmap_load(&vm->ids, id);
	if (!r->size) {
		/* G70/G72: delete looks at nothing but the slot. */
		if (!old)
			return -EINVAL;
		slot_delete(vm, old);
		return 0;
	}
	if (!old) {
		if (gpa_overlap(vm, id, base_gfn, base_gfn + npages))
			return -EEXIST;
		return slot_create(vm, r, id, base_gfn, npages);
	}
	/* G68/G69: gmem slots are immutable; a normal slot keeps its size,
	 * READONLY and (no) GUEST_MEMFD. */
	if (r->flags & GMV_MEM_GUEST_MEMFD)
		return -EINVAL;
	if (npages != old->npages || ((r->flags ^ old->flags) &
				      (GMV_MEM_READONLY | GMV_MEM_GUEST_MEMFD)))
		return -EINVAL;
	if (base_gfn != old->base_gfn) {
		if (gpa_overlap(vm, id, base_gfn, base_gfn + npages))
			return -EEXIST;
		err = slot_move(vm, old, base_gfn);
		if (err)
			return err;
	}
	old->flags = r->flags; /* LOG_DIRTY may change */
	return 0;
}

/* --------------------------------------------------------- attributes */

bool vm_gfn_private(const struct vm *vm, u64 gfn)
{
	const struct memslot *s;

	if (!vm_has_private_mem(vm))
		return false;
	s = vm_slot_of(vm, gfn);
	if (s && s->gmem_only && s->gb.view)
		return !gmem_is_shared(s->gb.view,
				       (gfn - s->base_gfn + s->gb.pgoff)
					       << PAGE_SHIFT);
	return ranges_test(&vm->private_gfns, gfn);
}

int vm_set_attributes(struct vm *vm, u64 gpa, u64 size, u64 attrs, u64 flags)
{
	bool private = attrs & GMV_MEMORY_ATTRIBUTE_PRIVATE;
	u64 start = gpa >> PAGE_SHIFT, end;
	int err;

	/* kvm_vm_ioctl_set_mem_attributes (virt/kvm/kvm_main.c), in its order.
	 */
	if (flags)
		return -EINVAL;
	if (attrs & ~vm_supported_attributes(vm))
		return -EINVAL;
	if (!size || gpa + size < gpa)
		return -EINVAL;
	if (!IS_ALIGNED(gpa, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE))
		return -EINVAL;
	end = (gpa + size) >> PAGE_SHIFT;
	if (ranges_state(&vm->private_gfns, start, end) ==
	    (private ? RANGES_ALL : RANGES_NONE))
		return 0;
	err = ranges_reserve(&vm->private_gfns, 1);
	if (err)
		return err;
	/* kvm_arch_pre_set_memory_attributes (arch/x86/kvm/mmu/mmu.c): a
	 * range turning private loses its shared translations, and the other
	 * way round. */
	zap_gfns(vm, start, end, private ? ARCH_ZAP_SHARED : ARCH_ZAP_PRIVATE);
	if (private)
		ranges_set(&vm->private_gfns, start, end);
	else
		ranges_clear(&vm->private_gfns, start, end);
	return 0;
}
