// SPDX-License-Identifier: MIT
/*
 * hv/vmm_native.c - the native backend (see hv/vmm_native.h). Each call
 * looks its handles up where Linux looks at the file descriptor (-EBADF
 * there and nowhere else) and answers a handle of the wrong kind the way
 * the Linux file would: a KVM ioctl on a gmem file is -ENOTTY (G18), an
 * mmap of a VM file -ENODEV, and so is fallocate on it (after the mode
 * checks, before EFBIG; observed on the 6.18 host).
 */
#include "hv/vmm_native.h"
#include "hv/alloc.h"
#include "hv/arch.h"
#include "hv/cc.h"
#include "hv/gmem.h"
#include "hv/base/kmalloc.h"
#include "hv/vcpu.h"
#include "hv/vm.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/mem.h"

enum handle_kind { H_FREE, H_VM, H_GMEM, H_VCPU };

struct vmm_native_handle {
	enum handle_kind kind;
	void *obj;
};

static struct vmm_native *nat(struct vmm *v)
{
	return v->priv;
}

/* The object behind handle h if it is open: its kind, else H_FREE. */
static enum handle_kind lookup(struct vmm *v, int h, void **obj)
{
	struct vmm_native *n = nat(v);

	if (h < 0 || h >= n->cap || n->tab[h].kind == H_FREE)
		return H_FREE;
	*obj = n->tab[h].obj;
	return n->tab[h].kind;
}

/* The lowest free handle for obj (like file descriptors), or -ENOMEM. */
/* A free handle slot (growing the table if needed), left free. */
static int handle_reserve(struct vmm *v)
{
	struct vmm_native *n = nat(v);
	struct vmm_native_handle *tab;
	int h, cap;

	for (h = 0; h < n->cap; h++)
		if (n->tab[h].kind == H_FREE)
			return h;
	cap = n->cap ? 2 * n->cap : 16;
	tab = kmalloc(cap * sizeof(*tab));
	if (!tab)
		return -ENOMEM;
	if (n->cap)
		memcpy(tab, n->tab, n->cap * sizeof(*tab));
	kfree(n->tab, n->cap * sizeof(*tab));
	n->tab = tab;
	h = n->cap;
	n->cap = cap;
	return h;
}

static void handle_fill(struct vmm *v, int h, enum handle_kind kind,
			void *obj)
{
	nat(v)->tab[h].kind = kind;
	nat(v)->tab[h].obj = obj;
}

static int handle_new(struct vmm *v, enum handle_kind kind, void *obj)
{
	int h = handle_reserve(v);

	if (h >= 0)
		handle_fill(v, h, kind, obj);
	return h;
}

static const char *native_lacks(struct vmm *v, enum vmm_feature f)
{
	if (!hv_pool)
		return "native backend has no hv_pool";
	/* Native vCPUs take VMMCALL to the case at any CPL, hv/vcpu.h. */
	if (f == VMM_FEAT_VCPU || f == VMM_FEAT_HYPERCALL_EXIT)
		return vcpu_lacks();
	if (f == VMM_FEAT_INTR_IF_CLEAR)
		return vcpu_intr_if_clear_lacks();
	if ((f == VMM_FEAT_SNP_VM || f == VMM_FEAT_SNP_GUEST) &&
	    !(vm_supported_types() & BIT(GMV_VM_SNP)))
		return "no SEV-SNP model or hardware";
	if ((f == VMM_FEAT_TDX_VM || f == VMM_FEAT_TDX_GUEST) &&
	    !(vm_supported_types() & BIT(GMV_VM_TDX)))
		return "no TDX module model or hardware";
	if (f == VMM_FEAT_SNP_GUEST || f == VMM_FEAT_TDX_GUEST) {
		const struct cc_ops *cc = cc_for_type(
			f == VMM_FEAT_SNP_GUEST ? GMV_VM_SNP : GMV_VM_TDX);
		const char *why = vcpu_lacks();

		return why || !cc->guest_lacks ? why : cc->guest_lacks();
	}
	return NULL;
}

static long native_check_extension(struct vmm *v, int vm, long cap)
{
	struct vm *obj = NULL;

	if (vm >= 0) {
		switch (lookup(v, vm, (void **)&obj)) {
		case H_FREE:
			return -EBADF;
		case H_GMEM:
			return -ENOTTY;
		case H_VCPU:
			return -EINVAL;
		case H_VM:
			break;
		}
	}
	switch (cap) {
	case GMV_CAP_NR_MEMSLOTS:
		return GMV_USER_MEM_SLOTS;
	case GMV_CAP_USER_MEMORY2:
	case GMV_CAP_MEMORY_FAULT_INFO:
	case GMV_CAP_GUEST_MEMFD:
		return 1;
	case GMV_CAP_MEMORY_ATTRIBUTES:
		return vm_supported_attributes(obj);
	case GMV_CAP_VM_TYPES:
		return vm_supported_types();
	case GMV_CAP_GUEST_MEMFD_FLAGS:
		return vm_supported_gmem_flags(obj);
	default: /* incl. MULTI_ADDRESS_SPACE (no SMM), PRE_FAULT_MEMORY */
		return 0;
	}
}

/* Native follows the newest mainline, has no pre-fault call, leaves a
 * vCPU as it was after SHUTDOWN and takes GPAs up to 2^52 whatever the
 * host (README, deliberate differences). */
static long native_fact(struct vmm *v, enum vmm_fact f)
{
	switch (f) {
	case VMM_FACT_LINUX_VERSION:
		return VMM_LINUX_NEWEST;
	case VMM_FACT_MAX_GPA_BITS:
		return VM_MAX_GPA_BITS;
	default:
		return 0;
	}
}

static int native_create_vm(struct vmm *v, unsigned long type)
{
	struct vm *vm;
	int r = vm_create(type, &vm);

	if (r)
		return r;
	r = handle_new(v, H_VM, vm);
	if (r < 0)
		vm_put(vm);
	return r;
}

/* The VM of a VM ioctl: -EBADF, or -ENOTTY on a gmem file (G18). */
static int vm_of(struct vmm *v, int h, struct vm **vm)
{
	switch (lookup(v, h, (void **)vm)) {
	case H_VM:
		return 0;
	case H_GMEM:
		return -ENOTTY;
	case H_VCPU: /* x86 KVM's answer to an unknown vCPU ioctl */
		return -EINVAL;
	default:
		return -EBADF;
	}
}

static int add_view(struct vmm *v, struct gmem_view *view)
{
	int r = handle_new(v, H_GMEM, view);

	if (r < 0)
		gmem_view_release(view);
	return r;
}

static int native_create_gmem(struct vmm *v, int vm, u64 size, u64 flags)
{
	struct gmem_view *view;
	struct vm *obj;
	int r = vm_of(v, vm, &obj);

	if (!r)
		r = vm_create_gmem(obj, size, flags, &view);
	return r ? r : add_view(v, view);
}

/* Issued on the VM like KVM_CREATE_GUEST_MEMFD, naming the gmem to view
 * as an argument: -EINVAL if that is not a gmem (as binding would say). */
static int native_create_gmem_view(struct vmm *v, int gmem, int vm)
{
	struct gmem_view *of, *view;
	struct vm *obj;
	int r = vm_of(v, vm, &obj);

	if (r)
		return r;
	switch (lookup(v, gmem, (void **)&of)) {
	case H_FREE:
		return -EBADF;
	case H_VM:
	case H_VCPU:
		return -EINVAL;
	case H_GMEM:
		break;
	}
	r = vm_create_gmem_view(obj, of, &view);
	return r ? r : add_view(v, view);
}

/* A gmem file's own call: -EBADF, -ENOTTY on a VM file. */
static int gmem_of(struct vmm *v, int h, struct gmem_view **view)
{
	switch (lookup(v, h, (void **)view)) {
	case H_GMEM:
		return 0;
	case H_VM:
	case H_VCPU:
		return -ENOTTY;
	default:
		return -EBADF;
	}
}

static int native_gmem_seal(struct vmm *v, int gmem)
{
	struct gmem_view *view;
	int r = gmem_of(v, gmem, &view);

	return r ? r : gmem_seal(view);
}

/* The overlay's VM gets its own view of the golden image. */
static int native_gmem_overlay(struct vmm *v, int overlay, int golden)
{
	struct gmem_view *up, *gold;
	int r = gmem_of(v, overlay, &up);

	if (!r)
		r = gmem_of(v, golden, &gold);
	return r ? r : vm_gmem_overlay(up, gold);
}

static int native_set_region(struct vmm *v, int vm, const struct vmm_region *r)
{
	struct vm_region reg = {
		.slot = r->slot,
		.flags = r->flags,
		.gpa = r->guest_phys_addr,
		.size = r->memory_size,
		.gmem_offset = r->guest_memfd_offset,
	};
	struct vm *obj;
	int err = vm_of(v, vm, &obj);

	if (err)
		return err;
	/* kvm_gmem_bind's fget: the handle is judged when binding. */
	if (r->flags & GMV_MEM_GUEST_MEMFD) {
		switch (lookup(v, r->guest_memfd, (void **)&reg.gmem)) {
		case H_FREE:
			reg.gmem_err = -EBADF;
			break;
		case H_VM:
		case H_VCPU:
			reg.gmem = NULL;
			reg.gmem_err = -EINVAL;
			break;
		case H_GMEM:
			break;
		}
	}
	return vm_set_region(obj, &reg);
}

static int native_fallocate(struct vmm *v, int gmem, int mode, s64 offset,
			    s64 len)
{
	enum handle_kind kind;
	void *obj;
	int r;

	kind = lookup(v, gmem, &obj);
	if (kind == H_FREE)
		return -EBADF;
	r = gmem_vfs_fallocate_mode(mode, offset, len);
	if (r)
		return r;
	if (kind != H_GMEM) /* an anon inode that is not a regular file */
		return -ENODEV;
	return gmem_fallocate(obj, mode, offset, len);
}

static int native_set_attributes(struct vmm *v, int vm, u64 gpa, u64 size,
				 u64 attrs, u64 flags)
{
	struct vm *obj;
	int r = vm_of(v, vm, &obj);

	return r ? r : vm_set_attributes(obj, gpa, size, attrs, flags);
}

static int native_convert(struct vmm *v, int gmem, u64 offset, u64 size,
			  bool to_private, u64 *error_offset)
{
	struct gmem_view *view;
	int r = gmem_of(v, gmem, &view);

	return r ? r
		 : gmem_convert(view, offset, size, to_private, error_offset);
}

/* The gmem behind a host mapping: -EBADF, -ENODEV for a VM file. */
static int mapped_gmem(struct vmm *v, int h, struct gmem_view **view)
{
	int r = gmem_of(v, h, view);

	return r == -ENOTTY ? -ENODEV : r;
}

/*
 * The largest host mapping a Linux x86-64 process can make: its user
 * address space less one page (TASK_SIZE_MAX). mmap(2) checks the length
 * against it (-ENOMEM) before the file's own mmap (-ENODEV) runs.
 */
#define HOST_MAP_MAX ((1ULL << 47) - PAGE_SIZE)

static int host_access(struct vmm *v, int gmem, u64 offset, void *buf,
		       size_t len, bool write)
{
	struct gmem_view *view;
	int r = mapped_gmem(v, gmem, &view);

	if (!r && gmem_view_size(view) > HOST_MAP_MAX)
		r = -ENOMEM;
	if (!r)
		r = gmem_host_access(view, offset, buf, len, write);
	return r == -EFAULT ? -VMM_SIGBUS : r;
}

static int native_host_read(struct vmm *v, int gmem, u64 offset, void *buf,
			    size_t len)
{
	return host_access(v, gmem, offset, buf, len, false);
}

static int native_host_write(struct vmm *v, int gmem, u64 offset,
			     const void *buf, size_t len)
{
	return host_access(v, gmem, offset, (void *)buf, len, true);
}

/*
 * Guest memory by GPA as the guest's shared accesses see it (hv/vmm.h):
 * the slot's shared backing whatever the attributes say; -EFAULT where no
 * slot backs a byte or a gmem-only slot's page is private.
 */
static int guest_access(struct vmm *v, int vm, u64 gpa, void *buf,
			size_t len, unsigned int access)
{
	struct vm_fault f;
	struct vm *obj;
	int r = vm_of(v, vm, &obj);

	if (r)
		return r;
	r = vm_guest_access(obj, gpa, buf, len, access | VM_ACCESS_HOST, &f);
	return r == -ENOENT ? -EFAULT : r;
}

static int native_guest_read(struct vmm *v, int vm, u64 gpa, void *buf,
			     size_t len)
{
	return guest_access(v, vm, gpa, buf, len, 0);
}

static int native_guest_write(struct vmm *v, int vm, u64 gpa,
			      const void *buf, size_t len)
{
	return guest_access(v, vm, gpa, (void *)buf, len, VM_ACCESS_WRITE);
}

/* The leaf of the VM's second-level table that maps gpa (hv/arch.h); a VM
 * without a backend maps nothing. */
static int native_guest_mapping(struct vmm *v, int vm, u64 gpa, u64 *size)
{
	struct arch_xlate x;
	struct vm *obj;
	int r = vm_of(v, vm, &obj);

	if (r)
		return r;
	r = vm_lookup_gpa(obj, gpa, &x);
	if (!r)
		*size = PAGE_SIZE << x.order;
	return r;
}

static int native_launch_update(struct vmm *v, int vm, u64 gpa, u64 size)
{
	struct vm *obj;
	int r = vm_of(v, vm, &obj);

	return r ? r : vm_launch_update(obj, gpa, size);
}

static int native_create_vcpu(struct vmm *v, int vm)
{
	struct vcpu *c;
	struct vm *obj;
	int h, r = vm_of(v, vm, &obj);

	if (r)
		return r;
	/* The handle first: a vCPU, once made, lives as long as its VM. */
	h = handle_reserve(v);
	if (h < 0)
		return h;
	r = vcpu_create(obj, &c);
	if (r)
		return r;
	handle_fill(v, h, H_VCPU, c);
	return h;
}

/* The vCPU of a vCPU ioctl: -EBADF, or -ENOTTY on a VM or gmem file. */
static int vcpu_of(struct vmm *v, int h, struct vcpu **c)
{
	switch (lookup(v, h, (void **)c)) {
	case H_VCPU:
		return 0;
	case H_VM:
	case H_GMEM:
		return -ENOTTY;
	default:
		return -EBADF;
	}
}

static int native_vcpu_enter(struct vmm *v, int vcpu,
			     const struct vmm_entry *e)
{
	struct vcpu *c;
	int r = vcpu_of(v, vcpu, &c);

	return r ? r : vcpu_enter(c, e);
}

static int native_vcpu_get_regs(struct vmm *v, int vcpu, struct vmm_regs *r)
{
	struct vcpu *c;
	int err = vcpu_of(v, vcpu, &c);

	if (!err)
		vcpu_get_regs(c, r);
	return err;
}

static int native_vcpu_set_regs(struct vmm *v, int vcpu,
				const struct vmm_regs *r)
{
	struct vcpu *c;
	int err = vcpu_of(v, vcpu, &c);

	if (!err)
		vcpu_set_regs(c, r);
	return err;
}

static int native_vcpu_run(struct vmm *v, int vcpu, struct vmm_exit *exit)
{
	struct vcpu *c;
	int r = vcpu_of(v, vcpu, &c);

	return r ? r : vcpu_run(c, exit);
}

static int native_close(struct vmm *v, int h)
{
	void *obj;

	switch (lookup(v, h, &obj)) {
	case H_FREE:
		return -EBADF;
	case H_VM:
		vm_put(obj);
		break;
	case H_GMEM:
		gmem_view_release(obj);
		break;
	case H_VCPU:
		vcpu_put(obj);
		break;
	}
	nat(v)->tab[h].kind = H_FREE;
	return 0;
}

static void native_reset(struct vmm *v)
{
	struct vmm_native *n = nat(v);

	for (int h = 0; h < n->cap; h++)
		if (n->tab[h].kind != H_FREE)
			native_close(v, h);
	kfree(n->tab, n->cap * sizeof(*n->tab));
	n->tab = NULL;
	n->cap = 0;
}

static int native_check(struct vmm *v)
{
	struct vmm_native *n = nat(v);
	int open = 0;

	for (int h = 0; h < n->cap; h++)
		open += n->tab[h].kind != H_FREE;
	if (alloc_check(hv_pool) || kmalloc_check() || gmem_check_all() ||
	    vm_check_all())
		return -EIO;
	/* Every VM and memory hangs off a handle: none may outlive them. */
	if (!open && (vm_nr_live() || gmem_nr_mems())) {
		kprintf("# vmm_native: no handle open but %llu VMs and %llu "
			"gmem memories live\n",
			(unsigned long long)vm_nr_live(),
			(unsigned long long)gmem_nr_mems());
		return -EIO;
	}
	return 0;
}

const struct vmm_ops vmm_native_ops = {
	.name = "native",
	.lacks = native_lacks,
	.check_extension = native_check_extension,
	.fact = native_fact,
	.create_vm = native_create_vm,
	.create_gmem = native_create_gmem,
	.create_gmem_view = native_create_gmem_view,
	.gmem_seal = native_gmem_seal,
	.gmem_overlay = native_gmem_overlay,
	.set_region = native_set_region,
	.fallocate = native_fallocate,
	.set_attributes = native_set_attributes,
	.convert = native_convert,
	.host_read = native_host_read,
	.host_write = native_host_write,
	.guest_read = native_guest_read,
	.guest_write = native_guest_write,
	.guest_mapping = native_guest_mapping,
	.launch_update = native_launch_update,
	.create_vcpu = native_create_vcpu,
	.vcpu_enter = native_vcpu_enter,
	.vcpu_get_regs = native_vcpu_get_regs,
	.vcpu_set_regs = native_vcpu_set_regs,
	.vcpu_run = native_vcpu_run,
	.close = native_close,
	.reset = native_reset,
	.check = native_check,
};

int vmm_native_pin(struct vmm *v, int gmem, u64 offset)
{
	struct gmem_view *view;
	int r = mapped_gmem(v, gmem, &view);

	return r ? r : gmem_pin(view, offset);
}

int vmm_native_unpin(struct vmm *v, int gmem, u64 offset)
{
	struct gmem_view *view;
	int r = mapped_gmem(v, gmem, &view);

	return r ? r : gmem_unpin(view, offset);
}

struct vm *vmm_native_vm(struct vmm *v, int handle)
{
	void *obj;

	return lookup(v, handle, &obj) == H_VM ? obj : NULL;
}

struct gmem_view *vmm_native_gmem(struct vmm *v, int handle)
{
	void *obj;

	return lookup(v, handle, &obj) == H_GMEM ? obj : NULL;
}
