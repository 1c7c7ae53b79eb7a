/* SPDX-License-Identifier: MIT */
/*
 * hv/gmem.h - guest_memfd ("gmem") re-implemented over the buddy allocator.
 *
 * Owns two kinds of objects (the 2026 upstream gmem_inode/gmem_file split):
 *  - gmem memory, the "inode": size, creation flags, backing pages, per-page
 *    state, shareability (which pages the host may touch), host pins, and
 *    the list of views. It lives while any view does.
 *  - gmem view, the "file": one VM's handle on a memory, holding that VM's
 *    bindings (page range -> memslot). A view belongs to exactly one VM;
 *    a second VM reaches the same memory only through a view of its own.
 *
 * Backing: memory is kept in 2 MiB chunks (struct gmem_chunk, gmem_int.h):
 * a chunk is backed by one order-9 block when it can be, else by single
 * pages; per-page state is a bitmap per chunk, shareability an extent set
 * per memory, so a uniform 2 MiB range costs about a hundred bytes.
 * Pages come zeroed from the allocator ("zero on first use") and go back
 * to it as soon as they are punched out.
 *
 * Beyond Linux (docs/ARCHITECTURE.md, "Golden images and rebinding
 * policies"):
 *  - a golden image is a memory sealed read-only (gmem_seal); an overlay
 *    is a memory stacked on one (gmem_overlay): where the overlay has no
 *    page, its guests and host read the golden page, and any write or
 *    private use first copies the golden page into the overlay
 *    (copy-on-write, copy on first private use);
 *  - a rebinding policy, chosen by a creation flag, zeroes the memory
 *    when a binding goes or when another VM binds it (below).
 *
 * gmem never calls into the VM layer directly: a view calls its owner
 * through struct gmem_owner_ops (given by hv/vm.c) to invalidate mappings.
 */
#ifndef GMV_HV_GMEM_H
#define GMV_HV_GMEM_H

#include "hv/vmm.h"
#include "lib/types.h"

struct cc_ops;
struct gmem_mem;
struct gmem_view;

/* What a view needs from the VM that owns it (hv/vm.c provides it). */
struct gmem_owner_ops {
	/* Drop the VM's translations of gfns [gfn_start, gfn_end) that
	 * filter (ARCH_ZAP_*, hv/arch.h) selects. */
	void (*zap)(void *owner, u64 gfn_start, u64 gfn_end,
		    unsigned int filter);
	/* Make the dropped translations unusable on every vCPU. */
	void (*flush)(void *owner);
	/* The view is gone: drop the reference it held on its VM. */
	void (*release)(void *owner);
	/* The owner's identity, never reused (the rebinding policies tell
	 * VMs apart by it, also after one is gone). */
	u64 (*id)(void *owner);
};

/*
 * Rebinding policies (gmemvisor's own creation flags VMM_GMEM_FLAG_*,
 * hv/vmm.h; at most one; Linux's kvm_gmem_create refuses both with
 * -EINVAL).
 * Without either the memory keeps its data across bindings, Linux's
 * choice (each view binds only to its own VM). With either, only one VM
 * at a time may have bindings on the memory (-EBUSY for another), and a
 * VM whose model gives pages per-VM state (cc_ops.one_vm) may hand the
 * memory to another VM of the same model through a view:
 *  - VMM_GMEM_FLAG_ZERO_ON_UNBIND: the pages a binding covered are
 *    punched (scrubbed, the model's state dropped) when it goes: memslot
 *    deleted, view closed, VM gone;
 *  - VMM_GMEM_FLAG_ZERO_ON_REBIND: all pages are punched when a VM other
 *    than the one that bound the memory last binds it, and when that
 *    VM's last view of the memory closes (no later binder can be that
 *    VM).
 */
#define GMEM_POLICY_FLAGS \
	(VMM_GMEM_FLAG_ZERO_ON_UNBIND | VMM_GMEM_FLAG_ZERO_ON_REBIND)

/*
 * One memslot's use of a view: gfns [base_gfn, base_gfn + npages) are the
 * pages [pgoff, pgoff + npages) of the memory. Embedded in the memslot;
 * 'view' becomes NULL when the view is released while the slot lives on
 * (bindings hold no reference on the view: kvm_gmem_bind takes none).
 */
struct gmem_binding {
	struct gmem_view *view;
	u64 pgoff, npages, base_gfn;
};

/*
 * KVM_CREATE_GUEST_MEMFD (kvm_gmem_create, G11-G14): flags outside 'supported'
 * -> -EINVAL, checked before the size; size 0, not a page multiple or
 * >= 2^63 -> -EINVAL. Nothing is allocated for the pages. The memory keeps
 * cc, the security model of the VM that creates it (hv/cc.h), whose memory
 * hooks it calls; the first view belongs to 'owner', that VM.
 */
int gmem_create(u64 size, u64 flags, u64 supported, const struct cc_ops *cc,
		void *owner, const struct gmem_owner_ops *ops,
		struct gmem_view **out);
/* A further view of of's memory, owned by 'owner'. */
int gmem_view_create(struct gmem_view *of, void *owner,
		     const struct gmem_owner_ops *ops, struct gmem_view **out);
/* close(2) of a view: invalidate and detach its bindings (the memslots
 * stay), drop the VM reference; the memory goes with its last view. */
void gmem_view_release(struct gmem_view *view);

void *gmem_view_owner(const struct gmem_view *view);
/* The security model of the view's memory. */
const struct cc_ops *gmem_view_cc(const struct gmem_view *view);
u64 gmem_view_size(const struct gmem_view *view);
u64 gmem_view_flags(const struct gmem_view *view);
/* Do two views share one memory? */
bool gmem_same_memory(const struct gmem_view *a, const struct gmem_view *b);

/*
 * Seal the view's memory as a golden image: from now on host writes,
 * pins, fallocate (allocate and punch), conversion to private and
 * bindings are -EPERM; holes read as zeros. 0 (also when sealed
 * already); -EINVAL for an overlay, a memory with a private page, or one
 * whose model gives pages per-VM state (cc_ops.one_vm); -EBUSY while a
 * memslot binds it or a page is pinned.
 */
int gmem_seal(struct gmem_view *view);
bool gmem_view_sealed(const struct gmem_view *view);
bool gmem_view_is_overlay(const struct gmem_view *view);
/*
 * Stack overlay's memory on the golden image golden belongs to, through
 * a view of the golden memory owned by 'owner' (the overlay's VM; it
 * holds the golden memory until the overlay goes). -EINVAL when golden's
 * memory is not sealed, the overlay is sealed, an overlay already, of
 * another size, or not MMAP (its slots must be gmem-only so that shared
 * accesses reach it); -EBUSY when the overlay has backed pages or
 * bindings; -ENOMEM.
 */
int gmem_overlay(struct gmem_view *overlay, struct gmem_view *golden,
		 void *owner, const struct gmem_owner_ops *ops);

/*
 * The checks of fallocate(2) that come before the file type (fs/open.c
 * vfs_fallocate): offset < 0 or len <= 0 -> -EINVAL; unknown
 * bits or a bad mode combination -> -EOPNOTSUPP. A file that is not
 * regular (a VM's) then fails with -ENODEV.
 */
int gmem_vfs_fallocate_mode(int mode, s64 offset, s64 len);
/*
 * fallocate(2) on a gmem after gmem_vfs_fallocate_mode(): offset + len past
 * 2^63 - 1 -> -EFBIG (VFS); then kvm_gmem_fallocate: no KEEP_SIZE or any
 * bit but KEEP_SIZE|PUNCH_HOLE -> -EOPNOTSUPP; offset or len not page
 * aligned -> -EINVAL; allocate past EOF -> -EINVAL (G51); punch anywhere
 * (G52). Allocation keeps what it got before an -ENOMEM, like Linux; a
 * punch stops at a 2 MiB block the security model cannot split, with its
 * error, the pages before it punched.
 */
int gmem_fallocate(struct gmem_view *view, int mode, s64 offset, s64 len);

/*
 * Host access through the file's shared mapping: -ENODEV without the MMAP
 * flag (checked when the mapping is made); -EFAULT (the SIGBUS of the
 * mapping) at or past EOF or on a private page, after the bytes before it
 * were transferred; -ENOMEM if a page cannot be allocated.
 */
int gmem_host_access(struct gmem_view *view, u64 offset, void *buf, size_t len,
		     bool write);
/* A host pin (e.g. GUP for DMA) on the page at offset: -ENODEV without
 * MMAP, -EFAULT past EOF or on a private page, -ENOMEM with nothing
 * changed. A pinned page is "in use" and cannot be converted (-EAGAIN).
 * Punching a page drops its pins. */
int gmem_pin(struct gmem_view *view, u64 offset);
/* -EINVAL if the page holds no pin. */
int gmem_unpin(struct gmem_view *view, u64 offset);

/*
 * In-place conversion (the upstream guest_memfd in-place conversion series) of
 * [offset, offset + size) to private or shared; see gmem_convert.c for the
 * order of its steps. -EINVAL for a misaligned, empty, wrapping or past-EOF
 * range; 0 at once if the range already has that state; -EAGAIN with
 * *error_offset = the first page in use; -ENOMEM or the security step's error
 * with nothing changed.
 */
int gmem_convert(struct gmem_view *view, u64 offset, u64 size, bool to_private,
		 u64 *error_offset);
/* Is the page at offset shared (host-accessible)? */
bool gmem_is_shared(const struct gmem_view *view, u64 offset);

/*
 * Binding (kvm_gmem_bind, virt/kvm/guest_memfd.c): offset >= 2^63, not page
 * aligned, or offset + npages pages past EOF -> -EINVAL (G60); overlap with
 * another binding of this view -> -EINVAL (G64).
 */
int gmem_bind(struct gmem_view *view, struct gmem_binding *b, u64 offset,
	      u64 npages, u64 base_gfn);
/* Undo a binding; never frees data (G73). A no-op after view release. */
void gmem_unbind(struct gmem_binding *b);
/* For the VM checker: is bound b (b->view set) the binding its view keeps
 * at b->pgoff? A memslot the view does not know would never be zapped. */
bool gmem_binding_linked(const struct gmem_binding *b);

/* Flags for gmem_get_pfn(). */
#define GMEM_FAULT_PRIVATE 1u /* the access is private */
#define GMEM_FAULT_CHECK_SHARE 2u /* the page's shareability must match */
/* A launch fills the page before it is prepared (kvm_gmem_populate):
 * the private page unprepared, -EEXIST if it is prepared already. */
#define GMEM_FAULT_POPULATE 4u
#define GMEM_FAULT_WRITE 8u /* the access writes */

/* What gmem_get_pfn() found (pa also when only the prepare failed). */
struct gmem_pfn {
	phys_addr_t pa;
	unsigned int max_order;
	/* A golden page seen through an overlay: map it read-only. */
	bool readonly;
};

/*
 * The page behind gfn for the guest (kvm_gmem_get_pfn): allocated and
 * zeroed on first use. In an overlay, a shared read of a page it lacks
 * gets the golden page (readonly, 2 MiB where the golden chunk is one
 * block and the overlay has none of it); any other access to such a page
 * copies the golden page into the overlay first, invalidating the gfn in
 * every VM that maps the overlay (copy-on-write). -EFAULT when the view
 * was released (G93) or, with GMEM_FAULT_CHECK_SHARE, when the page's
 * shareability differs from the access kind; -ENOMEM; the security
 * model's prepare() error. out->max_order is 9 when the 2 MiB chunk
 * around the page is one block, the binding maps all of it at a 2 MiB
 * aligned gfn (and, with CHECK_SHARE, it is uniformly shared or private),
 * else 0, then no more than the model's max_order() allows. A private
 * page is prepared (cc prepare(), over the 2^max_order block) at its
 * first use since it was allocated or last made shared, before this
 * returns it.
 */
int gmem_get_pfn(const struct gmem_binding *b, u64 gfn, unsigned int flags,
		 struct gmem_pfn *out);
/* For the VM checker: what backs gfn of b (bound to an overlay) now,
 * without allocating: true with *pa and *golden (a golden page), else
 * false. */
bool gmem_binding_page(const struct gmem_binding *b, u64 gfn, phys_addr_t *pa,
		       bool *golden);

/* Backing pages held by the view's memory, and its metadata in bytes
 * (memory object, chunk index, chunks, page maps, extents, pins, views). */
u64 gmem_backed_pages(const struct gmem_view *view);
u64 gmem_meta_bytes(const struct gmem_view *view);

/* Live memories and views; their backing pages (all memories). */
u64 gmem_nr_mems(void);
u64 gmem_total_pages(void);

/*
 * The invariant check over every memory: chunk bitmaps and counts,
 * backing blocks owned by OWN_GMEM with the right order, extents inside
 * the file, pins only on backed shared pages, views and bindings linked
 * both ways, and the pages of all memories == OWN_GMEM pages of hv_pool;
 * golden images all shared, never bound or pinned, each held by its
 * overlays' own views; overlays MMAP, of their image's size, in single
 * pages; under a rebinding policy only the tenant's views bound.
 * 0 or -EIO after printing the first problem.
 */
int gmem_check_all(void);

#endif
