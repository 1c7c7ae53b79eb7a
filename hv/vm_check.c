// SPDX-License-Identifier: MIT
/* hv/vm_check.c - the VM invariant checker (see vm_check_all in hv/vm.h). */
#define CHECK_PREFIX "vm_check"

#include "hv/vm_int.h"
#include "hv/alloc.h"
#include "hv/base/check.h"
#include "hv/kvm_abi.h"
#include "lib/errno.h"

/*
 * A slot over an overlay (hv/gmem.h): every gfn the VM's table maps must
 * reach what backs it now, the overlay's own page (a copy-up that left the
 * golden page mapped would let the guest read stale data) or, where the
 * overlay has none, the golden page, and that read-only: no writable
 * translation of a golden page exists anywhere.
 */
static int check_overlay_slot(const struct vm *vm, const struct memslot *s)
{
	struct arch_xlate x;
	phys_addr_t pa;
	bool golden;

	for (u64 gfn = s->base_gfn; gfn < s->base_gfn + s->npages; gfn++) {
		if (vm_lookup_gpa(vm, gfn << PAGE_SHIFT, &x))
			continue;
		CHECK(gmem_binding_page(&s->gb, gfn, &pa, &golden) &&
			      x.hpa == pa,
		      "vm %p slot %u: gfn %#llx maps %p, its overlay page or "
		      "golden page is %p",
		      vm, s->id, (unsigned long long)gfn, (void *)x.hpa,
		      (void *)pa);
		CHECK(!golden || !x.writable,
		      "vm %p slot %u: gfn %#llx maps golden page %p writable",
		      vm, s->id, (unsigned long long)gfn, (void *)pa);
	}
	return 0;
}

static int check_slot(const struct vm *vm, const struct range *r)
{
	const struct memslot *s = r->data;
	unsigned int order;
	enum alloc_owner owner;
	void *page;
	u64 idx, pages = 0;

	CHECK(s->base_gfn == r->start && s->base_gfn + s->npages == r->end,
	      "vm %p slot %u: range does not match", vm, s->id);
	CHECK(xmap_load(&vm->ids, s->id) == s,
	      "vm %p slot %u: not under its "
	      "id",
	      vm, s->id);
	CHECK(!s->gb.view || (s->flags & GMV_MEM_GUEST_MEMFD),
	      "vm %p slot %u: bound without GUEST_MEMFD", vm, s->id);
	CHECK(!s->gmem_only || (s->flags & GMV_MEM_GUEST_MEMFD),
	      "vm %p slot %u: gmem-only without GUEST_MEMFD", vm, s->id);
	if (s->gb.view) {
		CHECK(gmem_view_owner(s->gb.view) == vm &&
			      s->gb.npages == s->npages &&
			      s->gb.base_gfn == s->base_gfn,
		      "vm %p slot %u: binding does not match the slot", vm,
		      s->id);
		CHECK(gmem_binding_linked(&s->gb),
		      "vm %p slot %u: its view does not hold its binding", vm,
		      s->id);
		/* KVM_MEMSLOT_GMEM_ONLY iff the gmem has MMAP (G77). */
		CHECK(s->gmem_only == !!(gmem_view_flags(s->gb.view) &
					 GMV_GMEM_FLAG_MMAP),
		      "vm %p slot %u: gmem-only flag differs from its gmem", vm,
		      s->id);
		if (gmem_view_is_overlay(s->gb.view) &&
		    check_overlay_slot(vm, s))
			return -EIO;
	}
	xmap_for_each(&s->mem, idx, page, 0, XMAP_MAX_INDEX)
	{
		CHECK(idx < s->npages &&
			      !alloc_block_info(hv_pool, page, &order,
						&owner) &&
			      !order && owner == OWN_VM,
		      "vm %p slot %u: page %llu at %p is not a VM page", vm,
		      s->id, (unsigned long long)idx, page);
		pages++;
	}
	CHECK(pages == s->mem_pages,
	      "vm %p slot %u holds %llu pages, counts "
	      "%llu",
	      vm, s->id, (unsigned long long)pages,
	      (unsigned long long)s->mem_pages);
	return 0;
}

static int check_vm(const struct vm *vm)
{
	const struct memslot *s;
	u64 id, ids = 0;

	CHECK(vm->refs, "vm %p has no reference", vm);
	CHECK(!vm->flush_owed, "vm %p owes a TLB flush", vm);
	if (ranges_check(&vm->slots, false, "vm slots") ||
	    ranges_check(&vm->private_gfns, true, "vm attributes"))
		return -EIO;
	for (u32 i = 0; i < vm->slots.n; i++)
		if (check_slot(vm, &vm->slots.v[i]))
			return -EIO;
	xmap_for_each(&vm->ids, id, s, 0, XMAP_MAX_INDEX)
		ids++;
	CHECK(ids == vm->slots.n, "vm %p: %llu slot ids, %u slots", vm,
	      (unsigned long long)ids, vm->slots.n);
	CHECK(vm_has_private_mem(vm) || !vm->private_gfns.n,
	      "vm %p: private gfns on a VM without private memory", vm);
	return 0;
}

int vm_check_all(void)
{
	const struct vm *vm;

	list_for_each_entry(vm, &vm_all, node) {
		CHECK(list_node_valid(&vm->node), "vm list broken at %p", vm);
		if (check_vm(vm))
			return -EIO;
	}
	return 0;
}

u64 vm_nr_live(void)
{
	const struct list_head *pos;
	u64 n = 0;

	list_for_each(pos, &vm_all)
		n++;
	return n;
}
