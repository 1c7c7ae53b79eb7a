// SPDX-License-Identifier: MIT
/*
 * host-kernel/vmm_linux.c - struct vmm_ops over the real KVM uAPI.
 *
 * Each call is the closest real Linux call and returns what Linux returns
 * (-errno). The backend keeps a table of the descriptors it opened, the
 * anonymous mapping behind every memslot it created (the slot's
 * userspace_addr) and each guest_memfd's host mapping. vCPUs are run by
 * vcpu_linux.c; this file gives them handles.
 *
 * Bounds. A request that passes Linux's checks can make the kernel keep
 * state for every page it names: KVM_SET_MEMORY_ATTRIBUTES reserves an
 * xarray entry per gfn before it stores anything (virt/kvm/kvm_main.c
 * kvm_vm_set_mem_attributes(); 2^40 gfns ran for minutes, ignoring
 * signals, and ran a 2 GiB machine out of memory), a memslot gets
 * per-page metadata (8-byte rmaps where KVM shadows page tables, two
 * dirty bits per page when dirty logging; arch/x86/kvm/x86.c
 * kvm_alloc_memslot_metadata(), virt/kvm/kvm_main.c), and
 * fallocate allocates every page of its range (virt/kvm/guest_memfd.c
 * kvm_gmem_allocate()). So this backend refuses, without calling the
 * kernel, a request that would pass Linux's own checks and names more
 * than LX_GFN_BOUND of guest memory (attributes), would give a memslot
 * more than LX_SLOT_META_BOUND of metadata, or allocates more than
 * LX_ALLOC_BOUND (fallocate): -VMM_OVER_BOUND, with a "#"
 * diagnostic on stderr. Requests Linux refuses (a bad flag, an unaligned
 * or wrapping range, a slot too big, a range past the file) still go to
 * the kernel, which rejects them before it allocates anything.
 */
#define _GNU_SOURCE /* fallocate() */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "host-kernel/guarded_copy.h"
#include "host-kernel/kvm_uapi.h"
#include "host-kernel/vcpu_linux.h"
#include "host-kernel/vmm_linux.h"
#include "lib/errno.h"

enum lx_kind { LX_VM, LX_GMEM, LX_VCPU };

/* The bounds above: 1 GiB of gfns (262144 pages) per attribute change,
 * 64 MiB of metadata per memslot (with rmaps, a slot of 32 GiB; with TDP
 * and no dirty logging, where only the large-page info of about 8 bytes
 * per 2 MiB is left, never: KVM_MEM_MAX_NR_PAGES caps a slot at 8 TiB),
 * 256 MiB of pages per fallocate. */
#define LX_GFN_BOUND (1ULL << 30)
#define LX_SLOT_META_BOUND (64ULL << 20)
#define LX_ALLOC_BOUND (256ULL << 20)

/* A descriptor this backend opened. */
struct lx_obj {
	int fd;
	enum lx_kind kind;
	u64 size; /* gmem: size at creation */
	u64 flags; /* gmem: flags at creation */
	void *map; /* gmem: host mapping of [0, size), or NULL */
	bool had_attrs; /* VM: a nonzero attribute was ever set */
	struct lx_vcpu vcpu; /* vCPU: its run area */
};

/* A memslot this backend created, with the memory behind it. */
struct lx_slot {
	int vm;
	u32 id; /* the slot field: as id << 16 | slot id */
	void *addr;
	u64 size;
	u64 gpa;
	bool gmem_only; /* bound to a gmem made with GUEST_MEMFD_FLAG_MMAP */
	int gmem; /* that gmem's handle, -1 once it is closed */
	u64 gmem_offset;
};

struct lx {
	int kvm; /* /dev/kvm, or -1 */
	int kvm_err; /* errno of opening /dev/kvm */
	long caps[5]; /* probed answers, see lx_probe() */
	bool tdp; /* KVM maps guests with TDP (NPT/EPT), read at open */
	struct lx_obj *objs;
	size_t n_objs, cap_objs;
	struct lx_slot *slots;
	size_t n_slots, cap_slots;
};

enum { CAP_GMEM, CAP_GMEM_FLAGS, CAP_VM_TYPES, CAP_ATTRS, CAP_GMEM_DEFAULT_VM };

static struct lx *lx_of(struct vmm *v)
{
	return v->priv;
}

static int neg_errno(long r)
{
	return r < 0 ? -errno : (int)r;
}

/* Grow *arr (elements of size elt) so that one more fits. */
static int grow(void **arr, size_t *cap, size_t n, size_t elt)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, ncap * elt);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static struct lx_obj *find_obj(struct lx *lx, int fd)
{
	for (size_t i = 0; i < lx->n_objs; i++)
		if (lx->objs[i].fd == fd)
			return &lx->objs[i];
	return NULL;
}

/* The descriptor to hand to the kernel for a handle: issued ones as they
 * are, anything else as VMM_BAD_HANDLE (never another file of ours). */
static int fd_of(struct lx *lx, int handle)
{
	return find_obj(lx, handle) ? handle : VMM_BAD_HANDLE;
}

/* Record a new descriptor; on failure it is closed and -ENOMEM returned. */
static int track(struct lx *lx, int fd, enum lx_kind kind, u64 size)
{
	if (grow((void **)&lx->objs, &lx->cap_objs, lx->n_objs,
		 sizeof(*lx->objs))) {
		close(fd);
		return -ENOMEM;
	}
	lx->objs[lx->n_objs++] = (struct lx_obj){ .fd = fd, .kind = kind,
						  .size = size };
	return fd;
}

static struct lx_slot *find_slot(struct lx *lx, int vm, u32 id)
{
	for (size_t i = 0; i < lx->n_slots; i++)
		if (lx->slots[i].vm == vm && lx->slots[i].id == id)
			return &lx->slots[i];
	return NULL;
}

static void drop_slot(struct lx *lx, struct lx_slot *s)
{
	if (s->addr)
		munmap(s->addr, s->size);
	*s = lx->slots[--lx->n_slots];
}

/* Forget a descriptor and release what hangs off it (not the fd). */
static void untrack(struct lx *lx, struct lx_obj *o)
{
	if (o->kind == LX_VM) {
		for (size_t i = lx->n_slots; i-- > 0;)
			if (lx->slots[i].vm == o->fd)
				drop_slot(lx, &lx->slots[i]);
	} else if (o->kind == LX_VCPU) {
		lx_vcpu_release(&o->vcpu);
	} else {
		if (o->map)
			munmap(o->map, o->size);
		for (size_t i = 0; i < lx->n_slots; i++)
			if (lx->slots[i].gmem == o->fd)
				lx->slots[i].gmem = -1;
	}
	*o = lx->objs[--lx->n_objs];
}

static void lx_probe(struct lx *lx)
{
	static const long nr[] = {
		[CAP_GMEM] = GMV_CAP_GUEST_MEMFD,
		[CAP_GMEM_FLAGS] = GMV_CAP_GUEST_MEMFD_FLAGS,
		[CAP_VM_TYPES] = GMV_CAP_VM_TYPES,
		[CAP_ATTRS] = GMV_CAP_MEMORY_ATTRIBUTES,
	};

	int vm;

	for (size_t i = 0; i < ARRAY_SIZE(nr); i++) {
		long r = ioctl(lx->kvm, KVM_CHECK_EXTENSION, nr[i]);

		lx->caps[i] = r < 0 ? 0 : r;
	}
	/* The cases use default VMs; a kernel may give guest_memfd only to
	 * VMs with private memory (KVM_CAP_GUEST_MEMFD asked of a VM). */
	vm = ioctl(lx->kvm, KVM_CREATE_VM, GMV_VM_DEFAULT);
	if (vm >= 0) {
		long r = ioctl(vm, KVM_CHECK_EXTENSION, GMV_CAP_GUEST_MEMFD);

		lx->caps[CAP_GMEM_DEFAULT_VM] = r < 0 ? 0 : r;
		close(vm);
	}
}

static const char *unless(bool ok, const char *why)
{
	return ok ? NULL : why;
}

/*
 * KVM_HC_MAP_GPA_RANGE from a CPL0 guest reaches the VMM where KVM offers
 * KVM_CAP_EXIT_HYPERCALL for it (the vCPU enables it, vcpu_linux.c) and
 * runs CPL0 code itself: kvm_pvm emulates CPL0 guest code, and there a
 * VMMCALL at CPL0 never completes (guest-tests/README.md).
 */
static const char *lx_hypercall_lacks(struct lx *lx)
{
	long mask = ioctl(lx->kvm, KVM_CHECK_EXTENSION, LX_CAP_EXIT_HYPERCALL);

	if (!access("/sys/module/kvm_pvm", F_OK))
		return "kvm_pvm emulates guest CPL0 code, where VMMCALL never "
		       "completes";
	return unless(mask > 0 && (mask & BIT(GMV_HC_MAP_GPA_RANGE)),
		      "Linux host lacks KVM_CAP_EXIT_HYPERCALL for "
		      "KVM_HC_MAP_GPA_RANGE");
}

static const char *lx_lacks(struct vmm *v, enum vmm_feature f)
{
	struct lx *lx = lx_of(v);
	long flags = lx->caps[CAP_GMEM_FLAGS];

	if (lx->kvm < 0)
		return "no /dev/kvm";
	switch (f) {
	case VMM_FEAT_GUEST_MEMFD:
		if (lx->caps[CAP_GMEM] > 0 && lx->caps[CAP_GMEM_DEFAULT_VM] <= 0)
			return "Linux host gives guest_memfd only to VMs with "
			       "private memory (KVM_CAP_GUEST_MEMFD is 0 on a "
			       "default VM), and the cases use default VMs";
		return unless(lx->caps[CAP_GMEM] > 0,
			      "Linux host lacks KVM_CAP_GUEST_MEMFD");
	case VMM_FEAT_GMEM_MMAP:
		return unless(flags & GMV_GMEM_FLAG_MMAP,
			      "Linux host lacks GUEST_MEMFD_FLAG_MMAP "
			      "(KVM_CAP_GUEST_MEMFD_FLAGS)");
	case VMM_FEAT_GMEM_INIT_SHARED:
		return unless(flags & GMV_GMEM_FLAG_INIT_SHARED,
			      "Linux host lacks GUEST_MEMFD_FLAG_INIT_SHARED "
			      "(KVM_CAP_GUEST_MEMFD_FLAGS)");
	case VMM_FEAT_SW_PROTECTED_VM:
		return unless(lx->caps[CAP_VM_TYPES] & BIT(GMV_VM_SW_PROTECTED),
			      "Linux host lacks KVM_X86_SW_PROTECTED_VM "
			      "(KVM_CAP_VM_TYPES)");
	case VMM_FEAT_SNP_VM:
	case VMM_FEAT_SNP_GUEST:
		return unless(lx->caps[CAP_VM_TYPES] & BIT(GMV_VM_SNP),
			      "Linux host lacks KVM_X86_SNP_VM: no SEV-SNP "
			      "hardware");
	case VMM_FEAT_TDX_VM:
	case VMM_FEAT_TDX_GUEST:
		return unless(lx->caps[CAP_VM_TYPES] & BIT(GMV_VM_TDX),
			      "Linux host lacks KVM_X86_TDX_VM: no TDX module");
	case VMM_FEAT_MEMORY_ATTRIBUTES:
		return unless(lx->caps[CAP_ATTRS] > 0,
			      "Linux host lacks KVM_CAP_MEMORY_ATTRIBUTES");
	case VMM_FEAT_INPLACE_CONVERT:
		return "Linux host lacks in-place guest_memfd conversion "
		       "(KVM_SET_MEMORY_ATTRIBUTES2 on guest_memfd)";
	case VMM_FEAT_GMEM_VIEWS:
		return "Linux has no uAPI for a second VM view of a "
		       "guest_memfd";
	case VMM_FEAT_VCPU:
	case VMM_FEAT_INTR_IF_CLEAR:
		return NULL;
	case VMM_FEAT_HYPERCALL_EXIT:
		return lx_hypercall_lacks(lx);
	case VMM_FEAT_MAPPING_INFO:
		return "Linux has no uAPI to read a VM's nested page tables";
	case VMM_FEAT_GOLDEN:
		return "Linux has no copy-on-write golden guest_memfd shared "
		       "by VMs: guest_memfd has no primary MMU to redirect a "
		       "written page, and memslot surgery per page is too "
		       "costly (KVM: not planned)";
	case VMM_FEAT_REBIND_POLICY:
		return "Linux has no guest_memfd rebinding policy: a "
		       "guest_memfd binds only to the VM that created it and "
		       "kvm_gmem_create refuses other flags with EINVAL (KVM: "
		       "not planned)";
	case VMM_FEAT_RMP_MODEL:
		return "Linux has no uAPI for raw RMP instructions (the SNP "
		       "host kernel issues RMPUPDATE/PSMASH itself)";
	case VMM_FEAT_TDX_MODULE_MODEL:
		return "Linux has no uAPI for raw SEAMCALLs (KVM issues the "
		       "TDX module's leaves itself)";
	case VMM_NR_FEATURES:
		break;
	}
	return "unknown feature";
}

static long lx_check_extension(struct vmm *v, int vm, long cap)
{
	struct lx *lx = lx_of(v);
	int fd = vm < 0 ? lx->kvm : fd_of(lx, vm);

	if (vm < 0 && lx->kvm < 0)
		return -lx->kvm_err;
	return neg_errno(ioctl(fd, KVM_CHECK_EXTENSION, cap));
}

/* "Y" (or "1") in /sys/module/MOD/parameters/PARAM. */
static bool module_param_on(const char *path)
{
	char c = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == 'Y' || c == '1';
}

/* The running kernel's release as VMM_LINUX_VERSION(major, minor). */
static long kernel_version(void)
{
	struct utsname u;
	unsigned int major, minor;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return 0;
	return VMM_LINUX_VERSION(major, minor);
}

/* The host's physical address bits ("address sizes" in /proc/cpuinfo,
 * the kernel's x86_phys_bits), or 52 if it cannot be read. */
static long host_phys_bits(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	unsigned int bits = 52;

	if (!f)
		return bits;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "address sizes : %u bits physical", &bits) == 1)
			break;
	fclose(f);
	return bits;
}

static bool tdp_enabled(void)
{
	return module_param_on("/sys/module/kvm_amd/parameters/npt") ||
	       module_param_on("/sys/module/kvm_intel/parameters/ept");
}

/* What the kernel reports (hv/vmm.h enum vmm_fact). */
static long lx_fact(struct vmm *v, enum vmm_fact f)
{
	switch (f) {
	case VMM_FACT_LINUX_VERSION:
		return kernel_version();
	case VMM_FACT_TDP:
		return lx_of(v)->tdp;
	case VMM_FACT_SHUTDOWN_RESETS:
		return !access("/sys/module/kvm_amd", F_OK);
	case VMM_FACT_MAX_GPA_BITS:
		return lx_of(v)->tdp ? host_phys_bits() : 52;
	}
	return 0;
}

static int lx_create_vm(struct vmm *v, unsigned long type)
{
	struct lx *lx = lx_of(v);
	int fd;

	if (lx->kvm < 0)
		return -lx->kvm_err;
	fd = neg_errno(ioctl(lx->kvm, KVM_CREATE_VM, type));
	return fd < 0 ? fd : track(lx, fd, LX_VM, 0);
}

static int lx_create_gmem(struct vmm *v, int vm, u64 size, u64 flags)
{
	struct lx *lx = lx_of(v);
	struct lkvm_create_guest_memfd arg = { .size = size, .flags = flags };
	int fd;

	fd = neg_errno(ioctl(fd_of(lx, vm), LKVM_CREATE_GUEST_MEMFD, &arg));
	if (fd < 0)
		return fd;
	fd = track(lx, fd, LX_GMEM, size);
	if (fd >= 0)
		find_obj(lx, fd)->flags = flags;
	return fd;
}

/*
 * Linux has no call that gives a second VM a view of a guest_memfd (the
 * KVM_LINK_GUEST_MEMFD RFC was never merged): an unknown VM ioctl is the
 * closest, so the answer is EBADF for a bad VM and ENOTTY otherwise.
 */
static int lx_create_gmem_view(struct vmm *v, int gmem, int vm)
{
	struct lx *lx = lx_of(v);

	if (fcntl(fd_of(lx, vm), F_GETFD) < 0)
		return -errno;
	return -ENOTTY;
}

/*
 * Golden images (VMM_FEAT_GOLDEN) are gmemvisor's own: no ioctl seals a
 * guest_memfd or stacks one on another, so the answer is the unknown
 * ioctl's, EBADF for a bad file and ENOTTY otherwise.
 */
static int lx_no_golden(struct lx *lx, int a, int b)
{
	if (fcntl(fd_of(lx, a), F_GETFD) < 0 ||
	    (b != a && fcntl(fd_of(lx, b), F_GETFD) < 0))
		return -errno;
	return -ENOTTY;
}

static int lx_gmem_seal(struct vmm *v, int gmem)
{
	return lx_no_golden(lx_of(v), gmem, gmem);
}

static int lx_gmem_overlay(struct vmm *v, int overlay, int golden)
{
	return lx_no_golden(lx_of(v), overlay, golden);
}

static struct lx_slot new_slot(struct lx *lx, int vfd,
			       const struct vmm_region *r, void *addr)
{
	struct lx_obj *g = NULL;

	if (r->flags & GMV_MEM_GUEST_MEMFD)
		g = find_obj(lx, r->guest_memfd);
	return (struct lx_slot){
		.vm = vfd,
		.id = r->slot,
		.addr = addr,
		.size = r->memory_size,
		.gpa = r->guest_phys_addr,
		.gmem_only = g && (g->flags & GMV_GMEM_FLAG_MMAP),
		.gmem = g ? g->fd : -1,
		.gmem_offset = r->guest_memfd_offset,
	};
}

/* Say why a request is refused (see "Bounds" above). */
static int over_bound(const char *what, u64 bytes, u64 bound)
{
	fprintf(stderr,
		"# linux backend: refused %s over 0x%llx bytes: above the "
		"bound of 0x%llx bytes a request may make the kernel keep "
		"per-page state for (host-kernel/vmm_linux.c)\n",
		what, (unsigned long long)bytes, (unsigned long long)bound);
	return -VMM_OVER_BOUND;
}

/*
 * The metadata KVM would give a memslot of size bytes, a bound from above:
 * 8-byte rmaps per page where it shadows page tables (no TDP; rmaps for
 * every level are counted as 8 bytes per 4 KiB page and 1/512 of that
 * per larger level), two dirty bits per page with dirty logging, and the
 * large-page info, 4 bytes per 2 MiB and per 1 GiB.
 */
static u64 slot_metadata(const struct lx *lx, const struct vmm_region *r)
{
	u64 pages = r->memory_size >> PAGE_SHIFT, bytes = pages / 512 * 4 + 8;

	if (!lx->tdp)
		bytes += pages * 8 + pages / 512 * 16;
	if (r->flags & GMV_MEM_LOG_DIRTY_PAGES)
		bytes += pages / 4;
	return bytes;
}

/*
 * Would this memslot get more than LX_SLOT_META_BOUND of metadata? Only a
 * region that passes kvm_set_memory_region()'s field checks (known flags,
 * slot id and address space in range, aligned size and GPA, no wrap, at
 * most KVM_MEM_MAX_NR_PAGES, a gmem range inside the file) gets as far as
 * the per-page metadata.
 */
static bool slot_over_bound(struct lx *lx, int vfd,
			    const struct vmm_region *r)
{
	const u32 known = GMV_MEM_LOG_DIRTY_PAGES | GMV_MEM_READONLY |
			  GMV_MEM_GUEST_MEMFD;
	u64 size = r->memory_size, gpa = r->guest_phys_addr;
	long spaces;

	if (vfd < 0 || (r->flags & ~known) ||
	    slot_metadata(lx, r) <= LX_SLOT_META_BOUND)
		return false;
	spaces = ioctl(vfd, KVM_CHECK_EXTENSION, GMV_CAP_MULTI_ADDRESS_SPACE);
	if ((r->slot & 0xffff) >= GMV_USER_MEM_SLOTS ||
	    (r->slot >> 16) >= (u32)MAX(spaces, 1L) ||
	    !IS_ALIGNED(size, PAGE_SIZE) || !IS_ALIGNED(gpa, PAGE_SIZE) ||
	    gpa + size < gpa || (size >> PAGE_SHIFT) > GMV_MEM_MAX_NR_PAGES)
		return false;
	if (r->flags & GMV_MEM_GUEST_MEMFD) {
		struct lx_obj *g = find_obj(lx, r->guest_memfd);

		return !(r->flags & ~GMV_MEM_GUEST_MEMFD) && g &&
		       g->kind == LX_GMEM &&
		       IS_ALIGNED(r->guest_memfd_offset, PAGE_SIZE) &&
		       r->guest_memfd_offset <= g->size &&
		       size <= g->size - r->guest_memfd_offset;
	}
	return true;
}

/*
 * KVM_SET_USER_MEMORY_REGION2. A new slot gets a fresh private anonymous
 * mapping of memory_size bytes as userspace_addr; a call on an existing
 * slot reuses that slot's address (Linux refuses to change it), and a
 * successful delete unmaps it. When no mapping of that size can exist,
 * the call still goes to Linux with address 0 so it judges the rest.
 */
static int lx_set_region(struct vmm *v, int vm, const struct vmm_region *r)
{
	struct lx *lx = lx_of(v);
	struct lkvm_userspace_memory_region2 arg = {
		.slot = r->slot,
		.flags = r->flags,
		.guest_phys_addr = r->guest_phys_addr,
		.memory_size = r->memory_size,
		.guest_memfd_offset = r->guest_memfd_offset,
		.guest_memfd = (u32)fd_of(lx, r->guest_memfd),
	};
	int vfd = fd_of(lx, vm);
	struct lx_slot *old = vfd < 0 ? NULL : find_slot(lx, vfd, r->slot);
	void *addr = NULL;
	int ret;

	if (slot_over_bound(lx, vfd, r))
		return over_bound("a memslot's metadata", slot_metadata(lx, r),
				  LX_SLOT_META_BOUND);
	if (old) {
		arg.userspace_addr = (uintptr_t)old->addr;
	} else if (r->memory_size) {
		if (grow((void **)&lx->slots, &lx->cap_slots, lx->n_slots,
			 sizeof(*lx->slots)))
			return -ENOMEM;
		addr = mmap(NULL, r->memory_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			    0);
		if (addr == MAP_FAILED)
			addr = NULL;
		arg.userspace_addr = (uintptr_t)addr;
	}
	if (!r->memory_size)
		arg.userspace_addr = 0;

	ret = neg_errno(ioctl(vfd, LKVM_SET_USER_MEMORY_REGION2, &arg));
	if (ret < 0) {
		if (addr)
			munmap(addr, r->memory_size);
		return ret;
	}
	if (!old)
		lx->slots[lx->n_slots++] = new_slot(lx, vfd, r, addr);
	else if (!r->memory_size)
		drop_slot(lx, old);
	else
		old->gpa = r->guest_phys_addr; /* a normal slot may move */
	return 0;
}

/*
 * Would fallocate allocate more than LX_ALLOC_BOUND? Only KEEP_SIZE alone
 * allocates (guest_memfd refuses every other mode but PUNCH_HOLE), and
 * only over a non-empty, aligned range inside the file (vfs_fallocate(),
 * kvm_gmem_fallocate()).
 */
static bool falloc_over_bound(struct lx_obj *o, int mode, s64 offset,
			      s64 len)
{
	return o && o->kind == LX_GMEM && mode == GMV_FALLOC_KEEP_SIZE &&
	       offset >= 0 && len > (s64)LX_ALLOC_BOUND &&
	       IS_ALIGNED((u64)offset, PAGE_SIZE) &&
	       IS_ALIGNED((u64)len, PAGE_SIZE) && (u64)offset <= o->size &&
	       (u64)len <= o->size - (u64)offset;
}

static int lx_fallocate(struct vmm *v, int gmem, int mode, s64 offset,
			s64 len)
{
	struct lx *lx = lx_of(v);

	if (falloc_over_bound(find_obj(lx, gmem), mode, offset, len))
		return over_bound("fallocate", (u64)len, LX_ALLOC_BOUND);
	return neg_errno(fallocate(fd_of(lx, gmem), mode, offset, len));
}

/*
 * Would KVM_SET_MEMORY_ATTRIBUTES reserve more than LX_GFN_BOUND of gfns?
 * Only a request that passes kvm_vm_ioctl_set_mem_attributes()'s checks
 * (flags 0, supported attributes, a non-empty, non-wrapping, aligned
 * range) reaches the per-gfn reservation, and clearing attributes on a
 * VM that never had any finds nothing to change (kvm_range_has_memory_
 * attributes() on an empty array) and reserves nothing.
 */
static bool attrs_over_bound(struct lx *lx, struct lx_obj *o, u64 gpa,
			     u64 size, u64 attrs, u64 flags)
{
	long supported;

	if (!o || o->kind != LX_VM || size <= LX_GFN_BOUND)
		return false;
	if (!attrs && !o->had_attrs)
		return false;
	supported = ioctl(o->fd, KVM_CHECK_EXTENSION, GMV_CAP_MEMORY_ATTRIBUTES);
	return !flags && supported >= 0 && !(attrs & ~(u64)supported) &&
	       gpa + size > gpa && IS_ALIGNED(gpa, PAGE_SIZE) &&
	       IS_ALIGNED(size, PAGE_SIZE);
}

static int lx_set_attributes(struct vmm *v, int vm, u64 gpa, u64 size,
			     u64 attrs, u64 flags)
{
	struct lx *lx = lx_of(v);
	struct lx_obj *o = find_obj(lx, vm);
	struct lkvm_memory_attributes arg = {
		.address = gpa, .size = size, .attributes = attrs,
		.flags = flags,
	};
	int ret;

	if (attrs_over_bound(lx, o, gpa, size, attrs, flags))
		return over_bound("KVM_SET_MEMORY_ATTRIBUTES", size,
				  LX_GFN_BOUND);
	ret = neg_errno(ioctl(fd_of(lx, vm), LKVM_SET_MEMORY_ATTRIBUTES, &arg));
	if (!ret && o && o->kind == LX_VM && attrs)
		o->had_attrs = true;
	return ret;
}

/* The proposed in-place conversion ioctl on the guest_memfd
 * (KVM_SET_MEMORY_ATTRIBUTES2, see kvm_uapi.h). */
static int lx_convert(struct vmm *v, int gmem, u64 offset, u64 size,
		      bool to_private, u64 *error_offset)
{
	struct lkvm_memory_attributes2 arg = {
		.offset = offset, .size = size,
		.attributes = to_private ? GMV_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};
	int ret;

	ret = neg_errno(ioctl(fd_of(lx_of(v), gmem),
			      LKVM_SET_MEMORY_ATTRIBUTES2, &arg));
	if (ret == -EAGAIN && error_offset)
		*error_offset = arg.error_offset;
	return ret < 0 ? ret : 0;
}

/*
 * The gmem's host mapping, made on first use: MAP_SHARED, read/write, of
 * the whole file. For a handle that is not one of our gmems the mmap is
 * still tried (so Linux reports EBADF or ENODEV) but nothing is kept.
 */
static int host_map(struct lx *lx, int gmem, struct lx_obj **out)
{
	struct lx_obj *o = find_obj(lx, gmem);
	void *p;

	if (!o || o->kind != LX_GMEM) {
		p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 o ? gmem : VMM_BAD_HANDLE, 0);
		if (p == MAP_FAILED)
			return -errno;
		munmap(p, PAGE_SIZE);
		return -EINVAL;
	}
	if (!o->map) {
		p = mmap(NULL, o->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 gmem, 0);
		if (p == MAP_FAILED)
			return -errno;
		o->map = p;
	}
	*out = o;
	return 0;
}

/*
 * An access not inside [0, size): Linux's answer comes from a second,
 * temporary mapping of the pages around it (mmap accepts offsets past
 * EOF, G38), so bytes before EOF are copied and the first byte at or past
 * EOF raises SIGBUS exactly as in a real mapping longer than the file.
 */
static int access_past_eof(int fd, u64 offset, void *buf, size_t len,
			   bool write)
{
	u64 start = ALIGN_DOWN(offset, PAGE_SIZE), end, span;
	char *p;
	int ret;

	if (__builtin_add_overflow(offset, len, &end) ||
	    end > ~0ULL - (PAGE_SIZE - 1))
		return -EOVERFLOW;
	span = ALIGN_UP(end, PAGE_SIZE) - start;
	p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_SHARED, fd, start);
	if (p == MAP_FAILED)
		return -errno;
	if (write)
		ret = guarded_copy(p + (offset - start), buf, len, p, span);
	else
		ret = guarded_copy(buf, p + (offset - start), len, p, span);
	munmap(p, span);
	return ret;
}

static int host_access(struct vmm *v, int gmem, u64 offset, void *buf,
		       size_t len, bool write)
{
	struct lx_obj *o;
	char *at;
	int ret = host_map(lx_of(v), gmem, &o);

	if (ret)
		return ret;
	if (!len)
		return 0;
	if (offset >= o->size || len > o->size - offset)
		return access_past_eof(o->fd, offset, buf, len, write);
	at = (char *)o->map + offset;
	if (write)
		return guarded_copy(at, buf, len, o->map, o->size);
	return guarded_copy(buf, at, len, o->map, o->size);
}

static int lx_host_read(struct vmm *v, int gmem, u64 offset, void *buf,
			size_t len)
{
	return host_access(v, gmem, offset, buf, len, false);
}

static int lx_host_write(struct vmm *v, int gmem, u64 offset,
			 const void *buf, size_t len)
{
	return host_access(v, gmem, offset, (void *)buf, len, true);
}

/* The address-space-0 slot of VM vfd that holds gpa, or NULL. */
static struct lx_slot *slot_at(struct lx *lx, int vfd, u64 gpa)
{
	for (size_t i = 0; i < lx->n_slots; i++) {
		struct lx_slot *s = &lx->slots[i];

		if (s->vm == vfd && !(s->id >> 16) && gpa >= s->gpa &&
		    gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

/*
 * Guest memory as the guest's shared accesses see it (vmm.h): gmem-only
 * slots through the gmem's host mapping (G89), others through the slot's
 * userspace memory (G88). A slot whose gmem was closed backs nothing.
 */
static int guest_access(struct vmm *v, int vm, u64 gpa, void *buf,
			size_t len, bool write)
{
	struct lx *lx = lx_of(v);
	int vfd = fd_of(lx, vm);
	char *p = buf;

	if (vfd < 0)
		return -EBADF;
	while (len) {
		struct lx_slot *s = slot_at(lx, vfd, gpa);
		u64 off = s ? gpa - s->gpa : 0;
		size_t n = s ? MIN(len, s->size - off) : 0;
		int ret;

		if (!s || (s->gmem_only && s->gmem < 0) ||
		    (!s->gmem_only && !s->addr))
			return -EFAULT;
		if (s->gmem_only) {
			ret = host_access(v, s->gmem, s->gmem_offset + off, p,
					  n, write);
			if (ret)
				return ret;
		} else if (write) {
			memcpy((char *)s->addr + off, p, n);
		} else {
			memcpy(p, (char *)s->addr + off, n);
		}
		gpa += n;
		p += n;
		len -= n;
	}
	return 0;
}

static int lx_guest_read(struct vmm *v, int vm, u64 gpa, void *buf,
			 size_t len)
{
	return guest_access(v, vm, gpa, buf, len, false);
}

static int lx_guest_write(struct vmm *v, int vm, u64 gpa, const void *buf,
			  size_t len)
{
	return guest_access(v, vm, gpa, (void *)buf, len, true);
}

/* No ioctl reads KVM's nested page tables (VMM_FEAT_MAPPING_INFO). */
static int lx_guest_mapping(struct vmm *v, int vm, u64 gpa, u64 *size)
{
	return -ENOTTY;
}

/* KVM_SEV_SNP_LAUNCH_UPDATE needs an SNP VM, which needs SEV-SNP
 * hardware and the PSP firmware: not on the machines this runs on. */
static int lx_launch_update(struct vmm *v, int vm, u64 gpa, u64 size)
{
	return -ENOTTY;
}

static int lx_create_vcpu(struct vmm *v, int vm)
{
	struct lx *lx = lx_of(v);
	struct lx_vcpu c;
	int ret;

	if (lx->kvm < 0)
		return -lx->kvm_err;
	if (grow((void **)&lx->objs, &lx->cap_objs, lx->n_objs,
		 sizeof(*lx->objs)))
		return -ENOMEM;
	ret = lx_vcpu_create(lx->kvm, fd_of(lx, vm), &c);
	if (ret)
		return ret;
	lx->objs[lx->n_objs++] = (struct lx_obj){ .fd = c.fd,
						  .kind = LX_VCPU,
						  .vcpu = c };
	return c.fd;
}

/* The vCPU behind a handle: -EBADF if it is not ours, -ENOTTY (what KVM
 * says to vCPU ioctls on other files) if it is not a vCPU. */
static int vcpu_of(struct vmm *v, int handle, struct lx_vcpu **c)
{
	struct lx_obj *o = find_obj(lx_of(v), handle);

	if (!o)
		return -EBADF;
	if (o->kind != LX_VCPU)
		return -ENOTTY;
	*c = &o->vcpu;
	return 0;
}

static int lx_vcpu_enter_op(struct vmm *v, int vcpu,
			    const struct vmm_entry *e)
{
	struct lx_vcpu *c;
	int ret = vcpu_of(v, vcpu, &c);

	return ret ? ret : lx_vcpu_enter(c, e);
}

static int lx_vcpu_get_regs_op(struct vmm *v, int vcpu, struct vmm_regs *r)
{
	struct lx_vcpu *c;
	int ret = vcpu_of(v, vcpu, &c);

	return ret ? ret : lx_vcpu_get_regs(c, r);
}

static int lx_vcpu_set_regs_op(struct vmm *v, int vcpu,
			       const struct vmm_regs *r)
{
	struct lx_vcpu *c;
	int ret = vcpu_of(v, vcpu, &c);

	return ret ? ret : lx_vcpu_set_regs(c, r);
}

static int lx_vcpu_run_op(struct vmm *v, int vcpu, struct vmm_exit *exit)
{
	struct lx_vcpu *c;
	int ret = vcpu_of(v, vcpu, &c);

	return ret ? ret : lx_vcpu_run(c, exit);
}

static int lx_close(struct vmm *v, int handle)
{
	struct lx *lx = lx_of(v);
	struct lx_obj *o = find_obj(lx, handle);

	if (o)
		untrack(lx, o);
	return neg_errno(close(o ? handle : VMM_BAD_HANDLE));
}

static void lx_reset(struct vmm *v)
{
	struct lx *lx = lx_of(v);

	while (lx->n_objs) {
		int fd = lx->objs[lx->n_objs - 1].fd;

		untrack(lx, &lx->objs[lx->n_objs - 1]);
		close(fd);
	}
}

/* Linux keeps its own invariants; there is nothing of ours to check. */
static int lx_check(struct vmm *v)
{
	return 0;
}

static const struct vmm_ops lx_ops = {
	.name = "linux",
	.lacks = lx_lacks,
	.check_extension = lx_check_extension,
	.fact = lx_fact,
	.create_vm = lx_create_vm,
	.create_gmem = lx_create_gmem,
	.create_gmem_view = lx_create_gmem_view,
	.gmem_seal = lx_gmem_seal,
	.gmem_overlay = lx_gmem_overlay,
	.set_region = lx_set_region,
	.fallocate = lx_fallocate,
	.set_attributes = lx_set_attributes,
	.convert = lx_convert,
	.host_read = lx_host_read,
	.host_write = lx_host_write,
	.guest_read = lx_guest_read,
	.guest_write = lx_guest_write,
	.guest_mapping = lx_guest_mapping,
	.launch_update = lx_launch_update,
	.create_vcpu = lx_create_vcpu,
	.vcpu_enter = lx_vcpu_enter_op,
	.vcpu_get_regs = lx_vcpu_get_regs_op,
	.vcpu_set_regs = lx_vcpu_set_regs_op,
	.vcpu_run = lx_vcpu_run_op,
	.close = lx_close,
	.reset = lx_reset,
	.check = lx_check,
};

int vmm_linux_open(struct vmm *v)
{
	struct lx *lx = calloc(1, sizeof(*lx));

	if (!lx)
		return -ENOMEM;
	lx->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (lx->kvm < 0) {
		lx->kvm_err = errno;
	} else {
		lx_probe(lx);
		lx->tdp = tdp_enabled();
	}
	v->ops = &lx_ops;
	v->priv = lx;
	return 0;
}

void vmm_linux_close(struct vmm *v)
{
	struct lx *lx = lx_of(v);

	if (!lx)
		return;
	lx_reset(v);
	if (lx->kvm >= 0)
		close(lx->kvm);
	free(lx->objs);
	free(lx->slots);
	free(lx);
	v->priv = NULL;
}
