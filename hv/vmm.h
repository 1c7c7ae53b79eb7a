/* SPDX-License-Identifier: MIT */
/*
 * hv/vmm.h - the backend-neutral VMM interface. The conformance suite, the
 * guest cases and gmem-replay are written against it once and run on every
 * backend: "native" (hv/, our own guest_memfd) and "linux" (host-kernel/,
 * real ioctls on /dev/kvm).
 *
 * Conventions
 *  - Objects are named by int handles, like file descriptors: a VM, a gmem
 *    (one VM's view of guest_memfd memory) or a vCPU. A handle the backend
 *    never issued, or closed, is invalid; VMM_BAD_HANDLE (-1) is always
 *    invalid. Calls report -EBADF for an invalid handle exactly where Linux
 *    looks at the descriptor, and nowhere else.
 *  - Calls return 0 (or a new handle) on success and a negative Linux errno
 *    on failure, with Linux's value for the same input. Numbers and flags
 *    are Linux's (hv/kvm_abi.h).
 *  - Host accesses to gmem memory go through one shared read/write mapping
 *    of the whole file, made on first access and kept until the gmem is
 *    closed. An access that faults returns -VMM_SIGBUS.
 */
#ifndef GMV_HV_VMM_H
#define GMV_HV_VMM_H

#include "lib/types.h"
#include "hv/kvm_abi.h"

#define VMM_BAD_HANDLE (-1)
/* A vcpu_run that makes no exit for this long returns -EINTR. */
#define VMM_RUN_LIMIT_MS 2000
/* Not an errno: the host access faulted (SIGBUS on Linux). */
#define VMM_SIGBUS 1000
/* Not an errno: the backend refused a valid request that would make a real
 * kernel keep per-page state beyond the backend's bound (host-kernel/
 * vmm_linux.c); it never reached the kernel. */
#define VMM_OVER_BOUND 1001

/* Features a case may need; vmm_ops.lacks() answers from what the backend
 * really offers (Linux: capabilities and VM types probed at open). */
enum vmm_feature {
	VMM_FEAT_GUEST_MEMFD,	   /* KVM_CAP_GUEST_MEMFD */
	VMM_FEAT_GMEM_MMAP,	   /* GUEST_MEMFD_FLAG_MMAP */
	VMM_FEAT_GMEM_INIT_SHARED, /* GUEST_MEMFD_FLAG_INIT_SHARED */
	VMM_FEAT_SW_PROTECTED_VM,  /* VM type 1 */
	VMM_FEAT_SNP_VM,	   /* VM type 4, KVM_X86_SNP_VM (native: the
				    * RMP model where no SNP hardware) */
	VMM_FEAT_MEMORY_ATTRIBUTES, /* KVM_SET_MEMORY_ATTRIBUTES */
	VMM_FEAT_INPLACE_CONVERT,  /* per-gmem shareability + convert call */
	VMM_FEAT_GMEM_VIEWS,	   /* second VM view of one gmem's memory */
	VMM_FEAT_VCPU,		   /* vCPUs that run guest-tests images */
	VMM_FEAT_HYPERCALL_EXIT,   /* KVM_HC_MAP_GPA_RANGE from a guest at
				    * CPL0 reaches the case
				    * (KVM_CAP_EXIT_HYPERCALL) */
	VMM_FEAT_MAPPING_INFO,	   /* guest_mapping(): the nested page size */
	VMM_FEAT_RMP_MODEL,	   /* a raw SEV-SNP RMP model for the trace
				    * tool's rmp* ops (hv/snp/rmp.h) */
	VMM_FEAT_TDX_MODULE_MODEL, /* a TDX module model for the trace
				    * tool's TD ops (hv/tdx/tdx_module.h) */
	VMM_FEAT_SNP_GUEST,	   /* SNP VMs run guests: launch_update,
				    * PVALIDATE, the GHCB protocol */
	VMM_FEAT_TDX_VM,	   /* VM type 5, KVM_X86_TDX_VM (native: the
				    * TDX module model, hv/tdx/tdx.h) */
	VMM_FEAT_TDX_GUEST,	   /* TDX VMs run TD guests: launch_update,
				    * TDCALL, MapGPA, #VE */
	VMM_FEAT_INTR_IF_CLEAR,	   /* a guest spinning with RFLAGS.IF clear
				    * still ends at the run time limit */
	VMM_FEAT_GOLDEN,	   /* gmem_seal and gmem_overlay: golden
				    * images shared copy-on-write */
	VMM_FEAT_REBIND_POLICY,	   /* the VMM_GMEM_FLAG_ZERO_ON_* policies */
	VMM_NR_FEATURES
};

/*
 * gmemvisor's own create_gmem flags, the rebinding policies (at most one;
 * hv/gmem.h has their rules): pages zeroed when a binding goes, or when
 * a VM other than the last to bind the memory binds it. Far above
 * Linux's GUEST_MEMFD_FLAG_* bits; Linux refuses them with -EINVAL (an
 * unknown flag, kvm_gmem_create) and KVM_CAP_GUEST_MEMFD_FLAGS never
 * lists them.
 */
#define VMM_GMEM_FLAG_ZERO_ON_UNBIND (1ULL << 62)
#define VMM_GMEM_FLAG_ZERO_ON_REBIND (1ULL << 61)

/* struct kvm_userspace_memory_region2, minus what the backend supplies:
 * the userspace address is a private anonymous mapping of memory_size
 * bytes that the backend makes (native: memory the VM owns). */
struct vmm_region {
	u32 slot; /* bits 15:0 slot id, bits 31:16 address space */
	u32 flags;
	u64 guest_phys_addr;
	u64 memory_size; /* 0 deletes the slot */
	u64 guest_memfd_offset;
	int guest_memfd; /* a gmem handle; looked at only with GUEST_MEMFD */
};

/* General registers of a vCPU (KVM_GET_REGS / KVM_SET_REGS). */
struct vmm_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 rip, rflags;
};

/*
 * Where a guest-tests image starts. Every backend enters it the same way
 * (the guest environment contract, see guest-tests/README.md): 64-bit long
 * mode at CPL3 (CPL0 with cpl0) with RFLAGS.IOPL=3 (port I/O allowed),
 * paging on with the page tables at cr3 (built by the loader in guest
 * memory), flat segments, no IDT; rdi/rsi carry two arguments.
 */
struct vmm_entry {
	u64 rip, rsp, cr3;
	u64 arg0, arg1;
	bool cpl0; /* code and stack segments of DPL 0, not 3 */
};

/* Why vcpu_run returned (struct kvm_run's exit information). */
struct vmm_exit {
	u32 reason; /* GMV_EXIT_* */
	union {
		struct {
			u16 port;
			u8 size; /* 1, 2 or 4 bytes */
			bool in;
			u32 count;
			u64 data; /* OUT: the value written; IN: set by host */
		} io;
		struct {
			u64 nr;
			u64 args[6];
			u64 ret; /* set by the host before re-entry */
		} hypercall;
		struct {
			u64 flags; /* GMV_MEMORY_EXIT_FLAG_PRIVATE */
			u64 gpa;
			u64 size;
		} memory_fault;
		struct {
			u64 gpa;
			u32 len;
			bool is_write;
			u64 data; /* write: the bytes stored; read: set by
				   * the host before re-entry */
		} mmio;
		struct {
			u32 type; /* GMV_SYSTEM_EVENT_* */
			u64 data;
		} system_event;
		struct {
			u64 code; /* backend's raw exit code, for diagnostics */
			u64 info1, info2;
			u64 rip;
		} other; /* SHUTDOWN, INTERNAL_ERROR, INTR */
	};
};

/*
 * Facts a case's expectation depends on where Linux versions or machines
 * differ, so that one case holds on every kernel: the case asks, the
 * backend answers from what its kernel reports (vmm_ops.fact).
 */
enum vmm_fact {
	/* The Linux release whose behaviour the backend shows, as
	 * VMM_LINUX_VERSION(major, minor): linux: uname's release; native:
	 * VMM_LINUX_NEWEST (native follows the newest mainline). */
	VMM_FACT_LINUX_VERSION,
	/* KVM maps guest memory with two-dimensional paging (tdp_enabled,
	 * NPT or EPT), which is when it offers KVM_PRE_FAULT_MEMORY
	 * (arch/x86/kvm/x86.c): linux: the kvm_amd "npt" or kvm_intel "ept"
	 * module parameter; native: 0, it has no pre-fault call. */
	VMM_FACT_TDP,
	/* After a SHUTDOWN exit the vCPU is at its reset state (rip 0xfff0):
	 * SVM's KVM resets it (arch/x86/kvm/svm/svm.c shutdown_
	 * interception()); VMX and PVM leave it. linux: kvm_amd is loaded;
	 * native: 0. */
	VMM_FACT_SHUTDOWN_RESETS,
	/* Guest physical addresses a memslot may reach, in bits: with TDP
	 * KVM takes the host's MAXPHYADDR, else 52 (arch/x86/kvm/mmu.h
	 * kvm_mmu_max_gfn()). linux: from /proc/cpuinfo; native: 52. */
	VMM_FACT_MAX_GPA_BITS,
};
#define VMM_LINUX_VERSION(major, minor) ((long)(major) << 16 | (minor) << 8)
#define VMM_LINUX_NEWEST 0x7fffffffL

struct vmm;

struct vmm_ops {
	const char *name;
	/* NULL if the feature is there, else why not (for a SKIP line). */
	const char *(*lacks)(struct vmm *v, enum vmm_feature f);
	/* KVM_CHECK_EXTENSION on the system (vm < 0) or on a VM. */
	long (*check_extension)(struct vmm *v, int vm, long cap);
	/* The answer to one enum vmm_fact question. */
	long (*fact)(struct vmm *v, enum vmm_fact f);

	/* KVM_CREATE_VM: a VM handle or -errno. */
	int (*create_vm)(struct vmm *v, unsigned long type);
	/* KVM_CREATE_GUEST_MEMFD: a gmem handle or -errno. */
	int (*create_gmem)(struct vmm *v, int vm, u64 size, u64 flags);
	/* A new view, owned by 'vm', of the memory behind 'gmem' (the
	 * gmem_file/gmem_inode split): a gmem handle or -errno. */
	int (*create_gmem_view)(struct vmm *v, int gmem, int vm);
	/*
	 * Golden images (VMM_FEAT_GOLDEN; gmemvisor's own, hv/gmem.h):
	 * gmem_seal makes the memory behind gmem a read-only golden image
	 * (0; -EINVAL for an overlay, a private page, an SNP or TDX VM's
	 * memory; -EBUSY while bound or pinned); afterwards host writes,
	 * pins, fallocate, conversion to private and binding it are -EPERM.
	 * gmem_overlay stacks the memory behind overlay (MMAP, empty,
	 * unbound, of the same size) on the golden image behind golden,
	 * for overlay's VM: its guests read golden pages where it has none
	 * and copy them up on a write or a private use (0; -EINVAL, -EBUSY,
	 * -ENOMEM). Both -EBADF for a bad handle, -ENOTTY for a VM's.
	 */
	int (*gmem_seal)(struct vmm *v, int gmem);
	int (*gmem_overlay)(struct vmm *v, int overlay, int golden);
	/* KVM_SET_USER_MEMORY_REGION2. */
	int (*set_region)(struct vmm *v, int vm, const struct vmm_region *r);
	/* fallocate(2) on the gmem. */
	int (*fallocate)(struct vmm *v, int gmem, int mode, s64 offset,
			 s64 len);
	/* KVM_SET_MEMORY_ATTRIBUTES on the VM. */
	int (*set_attributes)(struct vmm *v, int vm, u64 gpa, u64 size,
			      u64 attrs, u64 flags);
	/* In-place conversion of [offset, offset + size) of the gmem to
	 * private or shared. On -EAGAIN *error_offset names the first page
	 * in use. */
	int (*convert)(struct vmm *v, int gmem, u64 offset, u64 size,
		       bool to_private, u64 *error_offset);
	/* Host access through the gmem's shared mapping (see above):
	 * 0, -errno of making the mapping, or -VMM_SIGBUS. */
	int (*host_read)(struct vmm *v, int gmem, u64 offset, void *buf,
			 size_t len);
	int (*host_write)(struct vmm *v, int gmem, u64 offset,
			  const void *buf, size_t len);
	/* Guest memory of a VM by GPA, through the memslots, as the guest's
	 * shared accesses see it: the gmem pages of gmem-only slots (gmem
	 * made with GUEST_MEMFD_FLAG_MMAP, G89), the slot's own memory for
	 * every other slot (G88; private pages are never shown). -EFAULT
	 * when a byte is not backed by any slot. */
	int (*guest_read)(struct vmm *v, int vm, u64 gpa, void *buf,
			  size_t len);
	int (*guest_write)(struct vmm *v, int vm, u64 gpa, const void *buf,
			   size_t len);
	/* The size of the nested (second-stage) translation that maps gpa
	 * for vm's vCPUs right now, in *size: 0, -ENOENT when nothing maps
	 * it, -EBADF, or -ENOTTY where the backend cannot look
	 * (VMM_FEAT_MAPPING_INFO). */
	int (*guest_mapping)(struct vmm *v, int vm, u64 gpa, u64 *size);
	/* KVM_SEV_SNP_LAUNCH_UPDATE (type NORMAL) over [gpa, gpa + size),
	 * page aligned, before any vCPU runs: each page, private in a gmem
	 * slot, is assigned to the VM and made Validated with the contents
	 * it has, so the guest starts on it without PVALIDATE. For a TDX VM
	 * KVM_TDX_INIT_MEM_REGION with KVM_TDX_MEASURE_MEMORY_REGION: each
	 * page PAGE.ADDed (MAPPED, no ACCEPT needed) and MR.EXTENDed into
	 * MRTD, which the first vCPU fixes (TDH.MR.FINALIZE). Before the
	 * VM's first vCPU. The contents are what the guest's shared view
	 * holds at the GPA (the slot's memory: KVM copies the VMM's source
	 * buffer). -EINVAL for a bad range, a VM that has a vCPU or whose
	 * model has no launch; -EEXIST for a page launched or used already;
	 * -ENOMEM;
	 * -EFAULT
	 * where a page is not private gmem memory; -ENOTTY where the
	 * backend has no SNP launch (linux without SEV-SNP hardware). */
	int (*launch_update)(struct vmm *v, int vm, u64 gpa, u64 size);
	/* KVM_CREATE_VCPU: a vCPU handle or -errno. */
	int (*create_vcpu)(struct vmm *v, int vm);
	/* Put the vCPU at an image entry (see struct vmm_entry). */
	int (*vcpu_enter)(struct vmm *v, int vcpu, const struct vmm_entry *e);
	int (*vcpu_get_regs)(struct vmm *v, int vcpu, struct vmm_regs *r);
	int (*vcpu_set_regs)(struct vmm *v, int vcpu, const struct vmm_regs *r);
	/* KVM_RUN: 0 with *exit filled, or -errno; -EFAULT with
	 * exit->reason == GMV_EXIT_MEMORY_FAULT is a memory-fault exit.
	 * Results a case placed in *exit (io.data for IN, mmio.data for an
	 * MMIO read, hypercall.ret) are handed to the guest on the next
	 * run. A run that makes no exit for VMM_RUN_LIMIT_MS returns -EINTR
	 * with exit->reason GMV_EXIT_INTR and exit->other.rip where the
	 * guest was (KVM_EXIT_INTR), so that a spinning guest cannot hang
	 * the suite; the next run goes on from there. */
	int (*vcpu_run)(struct vmm *v, int vcpu, struct vmm_exit *exit);
	/* close(2) on any handle. */
	int (*close)(struct vmm *v, int handle);
	/* Release everything still open (end of a case). */
	void (*reset)(struct vmm *v);
	/* Backend-wide consistency check (native: allocator, bindings,
	 * per-page state); 0 or -EIO after printing what is wrong. */
	int (*check)(struct vmm *v);
};

struct vmm {
	const struct vmm_ops *ops;
	void *priv;
};

#endif
