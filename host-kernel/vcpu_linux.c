// SPDX-License-Identifier: MIT
/*
 * host-kernel/vcpu_linux.c - KVM vCPUs for the linux backend (see
 * vcpu_linux.h): creation with the supported CPUID, entry in 64-bit mode
 * at CPL3 by KVM_SET_SREGS/KVM_SET_REGS, and KVM_RUN with its exits
 * translated into struct vmm_exit.
 *
 * On the reference host (kvm_pvm, observed) CPL3 guest code runs natively
 * while CPL0 code is emulated, and KVM's emulator reads guest memory
 * through the memslots' userspace memory, never through guest_memfd
 * (virt/kvm/kvm_main.c __kvm_read_guest_page() copies from the slot's host
 * address; G90). That is why the guest contract enters at CPL3 directly:
 * SET_SREGS with DPL-3 segments works, no CPL0 trampoline is needed.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "host-kernel/kvm_uapi.h"
#include "host-kernel/vcpu_linux.h"

/* struct kvm_run fields the 6.1 headers lack: the memory_fault member of
 * the exit union sits at offset 32 (include/uapi/linux/kvm.h). */
#define RUN_MEMORY_FAULT_OFFSET 32

#define X86_CR0_PE (1ULL << 0)
#define X86_CR0_MP (1ULL << 1)
#define X86_CR0_ET (1ULL << 4)
#define X86_CR0_NE (1ULL << 5)
#define X86_CR0_WP (1ULL << 16)
#define X86_CR0_AM (1ULL << 18)
#define X86_CR0_PG (1ULL << 31)
#define X86_CR4_PAE (1ULL << 5)
#define X86_CR4_OSFXSR (1ULL << 9)
#define X86_CR4_OSXMMEXCPT (1ULL << 10)
#define X86_EFER_LME (1ULL << 8)
#define X86_EFER_LMA (1ULL << 10)
#define X86_RFLAGS_FIXED (1ULL << 1)
#define X86_RFLAGS_IOPL3 (3ULL << 12)

/* Flat segments: selectors of a notional GDT (index 3 code, index 4 data)
 * with the entry's RPL; no descriptor is ever loaded from memory. */
#define FLAT_CS 0x18
#define FLAT_DS 0x20
#define SEG_TYPE_CODE_RX_ACCESSED 11
#define SEG_TYPE_DATA_RW_ACCESSED 3

#define CPUID_MAX_ENTRIES 256
/* vCPU ids tried by lx_vcpu_create (x86 KVM_MAX_VCPU_IDS is larger). */
#define LX_MAX_VCPU_ID 1024

static int neg_errno(long r)
{
	return r < 0 ? -errno : (int)r;
}

static int set_cpuid(int kvm_fd, int fd)
{
	size_t sz = sizeof(struct kvm_cpuid2) +
		    CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *cpuid = calloc(1, sz);
	int ret;

	if (!cpuid)
		return -ENOMEM;
	cpuid->nent = CPUID_MAX_ENTRIES;
	ret = neg_errno(ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid));
	if (!ret)
		ret = neg_errno(ioctl(fd, KVM_SET_CPUID2, cpuid));
	free(cpuid);
	return ret;
}

/* Let KVM_HC_MAP_GPA_RANGE reach userspace (KVM_CAP_EXIT_HYPERCALL) when
 * the VM offers it; VMs without it keep KVM's own answer. */
static int enable_hypercall_exit(int vm_fd)
{
	long mask = ioctl(vm_fd, KVM_CHECK_EXTENSION, LX_CAP_EXIT_HYPERCALL);
	struct kvm_enable_cap cap = {
		.cap = LX_CAP_EXIT_HYPERCALL,
		.args = { BIT(GMV_HC_MAP_GPA_RANGE) },
	};

	if (mask <= 0 || !(mask & BIT(GMV_HC_MAP_GPA_RANGE)))
		return 0;
	return neg_errno(ioctl(vm_fd, KVM_ENABLE_CAP, &cap));
}

/* While in KVM_RUN the vCPU takes SIGALRM (the run limit); everywhere
 * else the thread keeps it blocked around runs (see lx_vcpu_run). */
static int set_run_sigmask(int fd)
{
	/* struct kvm_signal_mask: u32 len, then the kernel's 8-byte set. */
	struct {
		u32 len;
		u8 set[8];
	} arg = { .len = sizeof(arg.set) };
	sigset_t cur;

	_Static_assert(offsetof(struct kvm_signal_mask, sigset) == 4,
		       "kvm_signal_mask layout");
	sigprocmask(SIG_SETMASK, NULL, &cur);
	sigdelset(&cur, SIGALRM);
	memcpy(arg.set, &cur, sizeof(arg.set));
	return neg_errno(ioctl(fd, KVM_SET_SIGNAL_MASK, &arg));
}

int lx_vcpu_create(int kvm_fd, int vm_fd, struct lx_vcpu *c)
{
	long size;
	int ret;

	ret = enable_hypercall_exit(vm_fd);
	if (ret)
		return ret;
	size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		return -errno;
	*c = (struct lx_vcpu){ .run_size = size };
	/* The interface names no vCPU id: take the lowest free one. */
	for (long id = 0; id < LX_MAX_VCPU_ID; id++) {
		c->fd = neg_errno(ioctl(vm_fd, KVM_CREATE_VCPU, id));
		if (c->fd != -EEXIST)
			break;
	}
	if (c->fd < 0)
		return c->fd;
	c->run = mmap(NULL, c->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      c->fd, 0);
	if (c->run == MAP_FAILED) {
		ret = -errno;
		c->run = NULL;
		goto fail;
	}
	ret = set_cpuid(kvm_fd, c->fd);
	if (!ret)
		ret = set_run_sigmask(c->fd);
	if (!ret)
		return 0;
fail:
	lx_vcpu_release(c);
	close(c->fd);
	return ret;
}

void lx_vcpu_release(struct lx_vcpu *c)
{
	if (c->run)
		munmap(c->run, c->run_size);
	c->run = NULL;
}

static struct kvm_segment flat_segment(u16 selector, u8 type, bool code,
				       u8 dpl)
{
	return (struct kvm_segment){
		.limit = 0xffffffff,
		.selector = selector | dpl,
		.type = type,
		.present = 1,
		.dpl = dpl,
		.db = !code, /* a 64-bit code segment has D = 0 */
		.s = 1,
		.l = code,
		.g = 1,
	};
}

int lx_vcpu_enter(struct lx_vcpu *c, const struct vmm_entry *e)
{
	u8 dpl = e->cpl0 ? 0 : 3;
	struct kvm_sregs s;
	struct kvm_regs r = {
		.rip = e->rip,
		.rsp = e->rsp,
		.rdi = e->arg0,
		.rsi = e->arg1,
		.rflags = X86_RFLAGS_FIXED | X86_RFLAGS_IOPL3,
	};
	int ret;

	ret = neg_errno(ioctl(c->fd, KVM_GET_SREGS, &s));
	if (ret)
		return ret;
	/* SVM's KVM takes the CPL from SS.DPL (svm_set_segment()). */
	s.cs = flat_segment(FLAT_CS, SEG_TYPE_CODE_RX_ACCESSED, true, dpl);
	s.ss = flat_segment(FLAT_DS, SEG_TYPE_DATA_RW_ACCESSED, false, dpl);
	s.ds = s.es = s.fs = s.gs = s.ss;
	s.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		X86_CR0_WP | X86_CR0_AM | X86_CR0_PG;
	s.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	s.cr3 = e->cr3;
	s.efer = X86_EFER_LME | X86_EFER_LMA;
	/* No IDT: any exception ends in a triple fault (SHUTDOWN). */
	s.idt.base = 0;
	s.idt.limit = 0;
	ret = neg_errno(ioctl(c->fd, KVM_SET_SREGS, &s));
	if (!ret)
		ret = neg_errno(ioctl(c->fd, KVM_SET_REGS, &r));
	if (!ret)
		c->last_reason = 0;
	return ret;
}

int lx_vcpu_get_regs(struct lx_vcpu *c, struct vmm_regs *out)
{
	struct kvm_regs r;
	int ret = neg_errno(ioctl(c->fd, KVM_GET_REGS, &r));

	if (ret)
		return ret;
	*out = (struct vmm_regs){
		.rax = r.rax, .rbx = r.rbx, .rcx = r.rcx, .rdx = r.rdx,
		.rsi = r.rsi, .rdi = r.rdi, .rsp = r.rsp, .rbp = r.rbp,
		.r8 = r.r8, .r9 = r.r9, .r10 = r.r10, .r11 = r.r11,
		.r12 = r.r12, .r13 = r.r13, .r14 = r.r14, .r15 = r.r15,
		.rip = r.rip, .rflags = r.rflags,
	};
	return 0;
}

int lx_vcpu_set_regs(struct lx_vcpu *c, const struct vmm_regs *in)
{
	struct kvm_regs r = {
		.rax = in->rax, .rbx = in->rbx, .rcx = in->rcx,
		.rdx = in->rdx, .rsi = in->rsi, .rdi = in->rdi,
		.rsp = in->rsp, .rbp = in->rbp, .r8 = in->r8, .r9 = in->r9,
		.r10 = in->r10, .r11 = in->r11, .r12 = in->r12,
		.r13 = in->r13, .r14 = in->r14, .r15 = in->r15,
		.rip = in->rip, .rflags = in->rflags,
	};

	return neg_errno(ioctl(c->fd, KVM_SET_REGS, &r));
}

/* Hand the case's answer to the exit being completed (IN data, MMIO read
 * data, hypercall result) to KVM, which delivers it on this KVM_RUN. */
static void answer_exit(struct lx_vcpu *c, const struct vmm_exit *exit)
{
	struct kvm_run *run = c->run;

	switch (c->last_reason) {
	case KVM_EXIT_IO:
		if (run->io.direction == KVM_EXIT_IO_IN)
			memcpy((u8 *)run + run->io.data_offset, &exit->io.data,
			       MIN((size_t)run->io.size * run->io.count,
				   sizeof(exit->io.data)));
		break;
	case KVM_EXIT_MMIO:
		if (!run->mmio.is_write)
			memcpy(run->mmio.data, &exit->mmio.data,
			       MIN(run->mmio.len, sizeof(exit->mmio.data)));
		break;
	case KVM_EXIT_HYPERCALL:
		run->hypercall.ret = exit->hypercall.ret;
		break;
	}
}

static void other_exit(struct lx_vcpu *c, struct vmm_exit *exit, u64 code,
		       u64 info1, u64 info2)
{
	struct vmm_regs r;

	exit->other.code = code;
	exit->other.info1 = info1;
	exit->other.info2 = info2;
	exit->other.rip = lx_vcpu_get_regs(c, &r) ? 0 : r.rip;
}

static void translate_exit(struct lx_vcpu *c, struct vmm_exit *exit)
{
	struct kvm_run *run = c->run;

	memset(exit, 0, sizeof(*exit));
	exit->reason = run->exit_reason;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		exit->io.port = run->io.port;
		exit->io.size = run->io.size;
		exit->io.in = run->io.direction == KVM_EXIT_IO_IN;
		exit->io.count = run->io.count;
		if (!exit->io.in)
			memcpy(&exit->io.data, (u8 *)run + run->io.data_offset,
			       MIN((size_t)run->io.size * run->io.count,
				   sizeof(exit->io.data)));
		break;
	case KVM_EXIT_MMIO:
		exit->mmio.gpa = run->mmio.phys_addr;
		exit->mmio.len = run->mmio.len;
		exit->mmio.is_write = run->mmio.is_write;
		if (run->mmio.is_write)
			memcpy(&exit->mmio.data, run->mmio.data,
			       MIN(run->mmio.len, sizeof(exit->mmio.data)));
		break;
	case KVM_EXIT_HYPERCALL:
		exit->hypercall.nr = run->hypercall.nr;
		memcpy(exit->hypercall.args, run->hypercall.args,
		       sizeof(exit->hypercall.args));
		break;
	case KVM_EXIT_HLT:
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		other_exit(c, exit, run->internal.suberror,
			   run->internal.ndata > 0 ? run->internal.data[0] : 0,
			   run->internal.ndata > 1 ? run->internal.data[1] : 0);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		other_exit(c, exit,
			   run->fail_entry.hardware_entry_failure_reason,
			   run->fail_entry.cpu, 0);
		break;
	case KVM_EXIT_UNKNOWN:
		other_exit(c, exit, run->hw.hardware_exit_reason, 0, 0);
		break;
	default: /* SHUTDOWN and anything else: the raw reason, rip */
		other_exit(c, exit, run->exit_reason, 0, 0);
		break;
	}
}

/*
 * The memory-fault exit KVM_RUN reports with EFAULT/EHWPOISON: exit_reason
 * KVM_EXIT_MEMORY_FAULT (39), then flags, gpa and size as u64s at offset
 * 32 (Documentation/virt/kvm/api.rst, KVM_EXIT_MEMORY_FAULT).
 */
static void memory_fault_exit(struct lx_vcpu *c, struct vmm_exit *exit)
{
	const u64 *f = (const u64 *)((u8 *)c->run + RUN_MEMORY_FAULT_OFFSET);

	memset(exit, 0, sizeof(*exit));
	exit->reason = GMV_EXIT_MEMORY_FAULT;
	exit->memory_fault.flags = f[0];
	exit->memory_fault.gpa = f[1];
	exit->memory_fault.size = f[2];
}

static void on_alarm(int sig)
{
}

/*
 * One KVM_RUN bounded by LX_RUN_LIMIT_SECONDS: SIGALRM stays blocked in
 * the thread and is unblocked only inside KVM_RUN (KVM_SET_SIGNAL_MASK),
 * so an expiry before entry still interrupts the run, and one after it
 * is discarded. Returns KVM_RUN's result and sets *err to its errno.
 */
static long timed_run(struct lx_vcpu *c, int *err)
{
	struct itimerval limit = { .it_value.tv_sec = LX_RUN_LIMIT_SECONDS };
	struct itimerval off = { 0 };
	struct timespec now = { 0 };
	struct sigaction sa = { .sa_handler = on_alarm }, old_sa;
	sigset_t alarm, old_mask;
	long r;

	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alarm, &old_mask);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old_sa);
	setitimer(ITIMER_REAL, &limit, NULL);
	r = ioctl(c->fd, KVM_RUN, 0);
	*err = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	sigtimedwait(&alarm, NULL, &now);
	sigaction(SIGALRM, &old_sa, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return r;
}

int lx_vcpu_run(struct lx_vcpu *c, struct vmm_exit *exit)
{
	struct kvm_run *run = c->run;
	long r;
	int err;

	answer_exit(c, exit);
	c->last_reason = 0;
	r = timed_run(c, &err);
	if (r < 0) {
		if ((err == EFAULT || err == EHWPOISON) &&
		    run->exit_reason == GMV_EXIT_MEMORY_FAULT) {
			memory_fault_exit(c, exit);
		} else {
			/* Only an interrupted run leaves a fresh reason
			 * (KVM_EXIT_INTR); others keep a stale one (G97). */
			memset(exit, 0, sizeof(*exit));
			if (err == EINTR) {
				exit->reason = run->exit_reason;
				other_exit(c, exit, run->exit_reason, 0, 0);
			}
		}
		return -err;
	}
	translate_exit(c, exit);
	c->last_reason = run->exit_reason;
	return 0;
}
