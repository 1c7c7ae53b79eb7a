// SPDX-License-Identifier: MIT
/*
 * hv/vm_fault.c - the guest fault path of the native backend: which page a
 * guest access reaches, how large a mapping of it may be, or which exit
 * the vCPU reports instead (see hv/vm.h, G88-G95; arch/x86/kvm/mmu/mmu.c
 * kvm_mmu_faultin_pfn and kvm_max_private_mapping_level).
 */
#include "hv/vm_int.h"
#include "hv/alloc.h"
#include "hv/kvm_abi.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define HUGE_PAGES 512 /* 4 KiB pages in a 2 MiB mapping */

int vm_memory_fault(struct vm_fault *f, int err)
{
	f->exit_reason = GMV_EXIT_MEMORY_FAULT;
	f->exit_flags = (f->access & VM_ACCESS_PRIVATE)
				? GMV_MEMORY_EXIT_FLAG_PRIVATE
				: 0;
	f->exit_gpa = f->gpa & PAGE_MASK;
	f->exit_size = PAGE_SIZE;
	return err;
}

static int mmio(struct vm_fault *f)
{
	f->exit_reason = GMV_EXIT_MMIO;
	f->exit_gpa = f->gpa;
	return -ENOENT;
}

/* The slot's own memory (what userspace_addr maps), on first use. */
static int slot_page(struct memslot *s, u64 gfn, phys_addr_t *pa)
{
	u64 idx = gfn - s->base_gfn;
	void *page = xmap_load(&s->mem, idx);

	if (!page) {
		page = alloc_page(hv_pool, OWN_VM);
		if (!page)
			return -ENOMEM;
		if (xmap_store(&s->mem, idx, page)) {
			free_page(hv_pool, page, OWN_VM);
			return -ENOMEM;
		}
		s->mem_pages++;
	}
	*pa = (phys_addr_t)page;
	return 0;
}

/*
 * May the 2 MiB gfn range around gfn be one mapping? It must lie in the
 * slot, start at a gmem index that is 2 MiB aligned (slot gpa and offset
 * congruent), and have one attribute throughout: gmem checked that for
 * gmem-only slots (GMEM_FAULT_CHECK_SHARE), the VM's attributes tell it
 * for the others.
 */
static bool huge_ok(const struct vm *vm, const struct memslot *s, u64 gfn)
{
	u64 first = ALIGN_DOWN(gfn, HUGE_PAGES);

	if (first < s->base_gfn || first + HUGE_PAGES > s->base_gfn + s->npages)
		return false;
	if ((s->gb.pgoff - s->base_gfn) % HUGE_PAGES)
		return false;
	return !vm_has_private_mem(vm) || s->gmem_only ||
	       ranges_state(&vm->private_gfns, first, first + HUGE_PAGES) !=
		       RANGES_MIXED;
}

int vm_fault(struct vm *vm, struct vm_fault *f)
{
	bool private = f->access & VM_ACCESS_PRIVATE;
	bool host = f->access & VM_ACCESS_HOST;
	u64 gfn = f->gpa >> PAGE_SHIFT;
	struct memslot *s = vm_slot_of(vm, gfn);
	struct gmem_pfn pfn;
	unsigned int flags;
	int r;

	f->pa = 0;
	f->max_order = 0;
	f->from_gmem = false;
	f->writable = false;
	f->exit_reason = 0;
	/* The access kind must match the PRIVATE attribute. */
	if (!host && private != vm_gfn_private(vm, gfn))
		return vm_memory_fault(f, -EFAULT);
	if (!s)
		return private ? vm_memory_fault(f, -EFAULT) : mmio(f);
	if (private && !(s->flags & GMV_MEM_GUEST_MEMFD))
		return vm_memory_fault(f, -EFAULT);
	if ((f->access & VM_ACCESS_WRITE) && !host &&
	    (s->flags & GMV_MEM_READONLY))
		return mmio(f);
	f->writable = !(s->flags & GMV_MEM_READONLY);
	/* G88/G89: shared accesses use gmem only on gmem-only slots. */
	if (!private && !s->gmem_only) {
		r = slot_page(s, gfn, &f->pa);
		return r ? vm_memory_fault(f, r) : 0;
	}

	flags = private ? GMEM_FAULT_PRIVATE : 0;
	if (f->access & VM_ACCESS_POPULATE)
		flags |= GMEM_FAULT_POPULATE;
	if (f->access & VM_ACCESS_WRITE)
		flags |= GMEM_FAULT_WRITE;
	if (vm_has_private_mem(vm))
		flags |= GMEM_FAULT_CHECK_SHARE;
	/* pa also on failure: the page a failed prepare left unprepared. */
	pfn.pa = 0;
	r = gmem_get_pfn(&s->gb, gfn, flags, &pfn);
	f->pa = pfn.pa;
	if (r)
		return vm_memory_fault(f, r);
	f->from_gmem = true;
	/* A golden page under an overlay is mapped read-only: the guest's
	 * first write to it faults again and copies it up. */
	if (pfn.readonly)
		f->writable = false;
	if (pfn.max_order && huge_ok(vm, s, gfn))
		f->max_order = pfn.max_order;
	return 0;
}

int vm_guest_access(struct vm *vm, u64 gpa, void *buf, size_t len,
		    unsigned int access, struct vm_fault *f)
{
	u8 *p = buf;

	while (len) {
		u64 in_page = gpa & (PAGE_SIZE - 1);
		size_t n = MIN(len, PAGE_SIZE - in_page);
		int r;

		f->gpa = gpa;
		f->access = access;
		r = vm_fault(vm, f);
		if (r)
			return r;
		if (access & VM_ACCESS_WRITE)
			memcpy((void *)(f->pa + in_page), p, n);
		else
			memcpy(p, (void *)(f->pa + in_page), n);
		p += n;
		len -= n;
		gpa += n;
	}
	return 0;
}

int vm_launch_update(struct vm *vm, u64 gpa, u64 size)
{
	/* Before the VM's first vCPU: nothing maps the pages yet, and the
	 * launch has not ended (KVM refuses an update after LAUNCH_FINISH,
	 * which gmemvisor's VMs pass when their first vCPU is made). */
	if (!vm->cc->launch_update || vm->nr_vcpus || !size ||
	    !IS_ALIGNED(gpa, PAGE_SIZE) ||
	    !IS_ALIGNED(size, PAGE_SIZE) || gpa + size < gpa)
		return -EINVAL;
	/* First every page filled, still unprepared: only gmem memory can
	 * be private, and a page prepared already (launched, or used by
	 * the guest) is -EEXIST. kvm_gmem_populate copies the VMM's data
	 * (QEMU: the shared memory at the GPA) into the page before it is
	 * the guest's; an in-place slot has one page for both. */
	for (u64 at = gpa; at < gpa + size; at += PAGE_SIZE) {
		struct vm_fault src = {.gpa = at, .access = VM_ACCESS_HOST};
		struct vm_fault f = {.gpa = at,
				     .access = VM_ACCESS_PRIVATE |
					       VM_ACCESS_POPULATE};
		int r = vm_fault(vm, &f);

		if (r)
			return r == -EEXIST || r == -ENOMEM ? r : -EFAULT;
		if (!vm_fault(vm, &src) && src.pa != f.pa)
			memcpy((void *)f.pa, (const void *)src.pa, PAGE_SIZE);
	}
	/* Then prepared (a 2 MiB block at its first page) and launched,
	 * with vm_in_launch() true (TDX prepares by PAGE.ADD then). A
	 * failure here leaves the pages before it launched and the rest
	 * prepared but not Validated (the guest must PVALIDATE them); KVM's
	 * sev_gmem_post_populate makes them shared again instead. */
	vm->in_launch = true;
	for (u64 at = gpa; at < gpa + size; at += PAGE_SIZE) {
		struct vm_fault f = {.gpa = at, .access = VM_ACCESS_PRIVATE};
		int r = vm_fault(vm, &f);

		if (!r)
			r = vm->cc->launch_update(vm, at >> PAGE_SHIFT, f.pa);
		else
			r = -EFAULT;
		if (r) {
			vm->in_launch = false;
			return r;
		}
	}
	vm->in_launch = false;
	return 0;
}
