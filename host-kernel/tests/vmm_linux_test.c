// SPDX-License-Identifier: MIT
/*
 * host-kernel/tests/vmm_linux_test.c - self-tests of the linux backend's
 * own logic: handle bookkeeping, memslot address reuse, the SIGBUS guard,
 * the host mapping's bounds, feature probing and reset. Linux's guest_memfd
 * rules themselves are checked by the traces and the conformance suite.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "host-kernel/tests/suites.h"
#include "host-kernel/vmm_linux.h"
#include "lib/ktap.h"

#define SZ_16K (16UL << 10)

/* h holds a new handle (>= 0); on failure print its errno. */
#define EXPECT_HANDLE(t, h)                                               \
	kt_check(t, (h) >= 0, __FILE__, __LINE__,                         \
		 "%s: expected a handle, got %s", #h, errno_name(h))

/* Open the backend with one VM; false (after a failed check) if not. */
static bool open_vm(struct kt *t, struct vmm *v, int *vm)
{
	if (!KT_EXPECT_OK(t, vmm_linux_open(v)))
		return false;
	*vm = v->ops->create_vm(v, GMV_VM_DEFAULT);
	return EXPECT_HANDLE(t, *vm);
}

/* lacks() answers from the capabilities Linux reports. */
static void linux_lacks_follows_caps(struct kt *t)
{
	struct vmm v = { 0 };
	long flags;
	u64 size;
	int vm;

	KT_ASSERT_OK(t, vmm_linux_open(&v));
	flags = v.ops->check_extension(&v, -1, GMV_CAP_GUEST_MEMFD_FLAGS);
	/* guest_memfd counts only where a default VM has it too. */
	vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);
	KT_EXPECT_GE(t, vm, 0);
	KT_EXPECT_EQ(t, v.ops->lacks(&v, VMM_FEAT_GUEST_MEMFD) == NULL,
		     v.ops->check_extension(&v, -1, GMV_CAP_GUEST_MEMFD) > 0 &&
			     v.ops->check_extension(&v, vm,
						    GMV_CAP_GUEST_MEMFD) > 0);
	KT_EXPECT_EQ(t, v.ops->lacks(&v, VMM_FEAT_GMEM_MMAP) == NULL,
		     (flags & GMV_GMEM_FLAG_MMAP) != 0);
	KT_EXPECT_EQ(t, v.ops->lacks(&v, VMM_FEAT_GMEM_INIT_SHARED) == NULL,
		     (flags & GMV_GMEM_FLAG_INIT_SHARED) != 0);
	KT_EXPECT_EQ(t, v.ops->lacks(&v, VMM_FEAT_SW_PROTECTED_VM) == NULL,
		     (v.ops->check_extension(&v, -1, GMV_CAP_VM_TYPES) &
		      BIT(GMV_VM_SW_PROTECTED)) != 0);
	KT_EXPECT_EQ(t, v.ops->lacks(&v, VMM_FEAT_SNP_VM) == NULL,
		     (v.ops->check_extension(&v, -1, GMV_CAP_VM_TYPES) &
		      BIT(GMV_VM_SNP)) != 0);
	KT_EXPECT_EQ(t, v.ops->lacks(&v, VMM_FEAT_TDX_VM) == NULL,
		     (v.ops->check_extension(&v, -1, GMV_CAP_VM_TYPES) &
		      BIT(GMV_VM_TDX)) != 0);
	KT_EXPECT_EQ(t, v.ops->lacks(&v, VMM_FEAT_MEMORY_ATTRIBUTES) == NULL,
		     v.ops->check_extension(&v, -1,
					    GMV_CAP_MEMORY_ATTRIBUTES) > 0);
	KT_EXPECT(t, v.ops->lacks(&v, VMM_FEAT_INPLACE_CONVERT) != NULL);
	KT_EXPECT(t, v.ops->lacks(&v, VMM_FEAT_GMEM_VIEWS) != NULL);
	KT_EXPECT(t, v.ops->lacks(&v, VMM_FEAT_MAPPING_INFO) != NULL);
	KT_EXPECT(t, v.ops->lacks(&v, VMM_FEAT_RMP_MODEL) != NULL);
	KT_EXPECT(t, v.ops->lacks(&v, VMM_FEAT_TDX_MODULE_MODEL) != NULL);
	KT_EXPECT_ERRNO(t, v.ops->guest_mapping(&v, VMM_BAD_HANDLE, 0, &size),
			ENOTTY);
	vmm_linux_close(&v);
}

/* A descriptor the backend did not issue never reaches the kernel. */
static void linux_foreign_fd_is_bad(struct kt *t)
{
	struct vmm v = { 0 };
	int vm, fd = dup(STDERR_FILENO);

	KT_ASSERT(t, fd >= 0);
	if (!open_vm(t, &v, &vm))
		goto out;
	KT_EXPECT_ERRNO(t, v.ops->close(&v, fd), EBADF);
	KT_EXPECT(t, fcntl(fd, F_GETFD) >= 0);
	KT_EXPECT_ERRNO(t, v.ops->fallocate(&v, fd, 1, 0, PAGE_SIZE), EBADF);
	KT_EXPECT_ERRNO(t, v.ops->create_gmem(&v, fd, PAGE_SIZE, 0), EBADF);
	KT_EXPECT_ERRNO(t, v.ops->check_extension(&v, fd,
						  GMV_CAP_GUEST_MEMFD),
			EBADF);
out:
	vmm_linux_close(&v);
	close(fd);
}

/* A normal slot keeps its address: re-issue and move work as in a VMM,
 * and its memory moves with it. */
static void linux_slot_address_reused(struct kt *t)
{
	struct vmm_region r = { .slot = 1, .guest_phys_addr = SZ_2M,
				.memory_size = SZ_16K };
	u8 in = 0x5a, out = 0;
	struct vmm v = { 0 };
	int vm;

	if (!open_vm(t, &v, &vm))
		goto out;
	KT_EXPECT_OK(t, v.ops->set_region(&v, vm, &r));
	KT_EXPECT_OK(t, v.ops->set_region(&v, vm, &r));
	KT_EXPECT_OK(t, v.ops->guest_write(&v, vm, SZ_2M + 5, &in, 1));
	r.guest_phys_addr = 2 * SZ_2M;
	KT_EXPECT_OK(t, v.ops->set_region(&v, vm, &r));
	KT_EXPECT_OK(t, v.ops->guest_read(&v, vm, 2 * SZ_2M + 5, &out, 1));
	KT_EXPECT_EQ(t, out, in);
	KT_EXPECT_ERRNO(t, v.ops->guest_read(&v, vm, SZ_2M + 5, &out, 1),
			EFAULT);
	r.memory_size = 2 * SZ_16K;
	KT_EXPECT_ERRNO(t, v.ops->set_region(&v, vm, &r), EINVAL);
	r.memory_size = 0;
	KT_EXPECT_OK(t, v.ops->set_region(&v, vm, &r));
	KT_EXPECT_ERRNO(t, v.ops->set_region(&v, vm, &r), EINVAL);
	r.memory_size = SZ_16K;
	KT_EXPECT_OK(t, v.ops->set_region(&v, vm, &r));
out:
	vmm_linux_close(&v);
}

static void on_sigbus_unused(int sig)
{
}

/* SIGBUS on a gmem without INIT_SHARED is reported, repeatably, and the
 * caller's own SIGBUS disposition is left as it was. */
static void linux_sigbus_guarded(struct kt *t)
{
	struct sigaction mine = { .sa_handler = on_sigbus_unused }, before,
			 after;
	u8 buf[4] = { 1, 2, 3, 4 };
	struct vmm v = { 0 };
	int vm, g;

	sigaction(SIGBUS, &mine, &before);
	if (!open_vm(t, &v, &vm))
		goto out;
	g = v.ops->create_gmem(&v, vm, SZ_16K, GMV_GMEM_FLAG_MMAP);
	if (!EXPECT_HANDLE(t, g))
		goto out;
	KT_EXPECT_ERRNO(t, v.ops->host_read(&v, g, 0, buf, 4), VMM_SIGBUS);
	KT_EXPECT_ERRNO(t, v.ops->host_write(&v, g, PAGE_SIZE, buf, 4),
			VMM_SIGBUS);
	KT_EXPECT_ERRNO(t, v.ops->host_read(&v, g, SZ_16K - 1, buf, 1),
			VMM_SIGBUS);
	sigaction(SIGBUS, NULL, &after);
	KT_EXPECT(t, after.sa_handler == on_sigbus_unused);
out:
	vmm_linux_close(&v);
	sigaction(SIGBUS, &before, NULL);
}

/* The host mapping covers [0, size); past EOF Linux's answer is SIGBUS
 * (bytes before EOF are done first), and a range that wraps is refused. */
static void linux_host_access_bounds(struct kt *t)
{
	u8 in[12] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 }, out[8] = { 0 };
	struct vmm v = { 0 };
	int vm, g;

	if (!open_vm(t, &v, &vm))
		goto out;
	g = v.ops->create_gmem(&v, vm, SZ_16K,
			       GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED);
	if (!EXPECT_HANDLE(t, g))
		goto out;
	KT_EXPECT_OK(t, v.ops->host_write(&v, g, SZ_16K - 8, in, 8));
	KT_EXPECT_OK(t, v.ops->host_read(&v, g, SZ_16K - 8, out, 8));
	KT_EXPECT_MEM_EQ(t, in, out, 8);
	KT_EXPECT_ERRNO(t, v.ops->host_write(&v, g, SZ_16K - 4, in + 4, 8),
			VMM_SIGBUS);
	KT_EXPECT_OK(t, v.ops->host_read(&v, g, SZ_16K - 8, out, 8));
	KT_EXPECT_MEM_EQ(t, in + 4, out + 4, 4);
	KT_EXPECT_ERRNO(t, v.ops->host_read(&v, g, SZ_16K, out, 1),
			VMM_SIGBUS);
	KT_EXPECT_ERRNO(t, v.ops->host_read(&v, g, 1ULL << 40, out, 1),
			VMM_SIGBUS);
	KT_EXPECT_ERRNO(t, v.ops->host_write(&v, g, ~0ULL, in, 1), EOVERFLOW);
	KT_EXPECT_OK(t, v.ops->host_write(&v, g, SZ_16K, in, 0));
	KT_EXPECT_ERRNO(t, v.ops->host_read(&v, vm, 0, out, 1), ENODEV);
	KT_EXPECT_ERRNO(t, v.ops->host_read(&v, VMM_BAD_HANDLE, 0, out, 1),
			EBADF);
out:
	vmm_linux_close(&v);
}

/* Calls with no Linux counterpart answer like the closest real call. */
static void linux_unsupported_calls(struct kt *t)
{
	u64 where = 0;
	struct vmm v = { 0 };
	int vm, g;

	if (!open_vm(t, &v, &vm))
		goto out;
	g = v.ops->create_gmem(&v, vm, SZ_16K, 0);
	if (!EXPECT_HANDLE(t, g))
		goto out;
	KT_EXPECT_ERRNO(t, v.ops->convert(&v, g, 0, PAGE_SIZE, true, &where),
			ENOTTY);
	KT_EXPECT_ERRNO(t, v.ops->convert(&v, VMM_BAD_HANDLE, 0, PAGE_SIZE,
					  false, &where),
			EBADF);
	KT_EXPECT_ERRNO(t, v.ops->create_gmem_view(&v, g, vm), ENOTTY);
	KT_EXPECT_ERRNO(t, v.ops->create_gmem_view(&v, g, VMM_BAD_HANDLE),
			EBADF);
	KT_EXPECT_OK(t, v.ops->check(&v));
out:
	vmm_linux_close(&v);
}

/* reset closes every descriptor; the backend stays usable. */
static void linux_reset_closes_all(struct kt *t)
{
	struct vmm v = { 0 };
	int vm, g;

	if (!open_vm(t, &v, &vm))
		goto out;
	g = v.ops->create_gmem(&v, vm, SZ_16K, 0);
	EXPECT_HANDLE(t, g);
	v.ops->reset(&v);
	KT_EXPECT(t, fcntl(vm, F_GETFD) < 0);
	KT_EXPECT(t, fcntl(g, F_GETFD) < 0);
	KT_EXPECT_ERRNO(t, v.ops->fallocate(&v, g, 1, 0, PAGE_SIZE), EBADF);
	vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);
	EXPECT_HANDLE(t, vm);
out:
	vmm_linux_close(&v);
}

static const struct kt_case linux_backend_cases[] = {
	KT_CASE_IF(linux_lacks_follows_caps, needs_gmem),
	KT_CASE_IF(linux_foreign_fd_is_bad, needs_kvm),
	KT_CASE_IF(linux_slot_address_reused, needs_kvm),
	KT_CASE_IF(linux_sigbus_guarded, needs_gmem),
	KT_CASE_IF(linux_host_access_bounds, needs_gmem),
	KT_CASE_IF(linux_unsupported_calls, needs_kvm),
	KT_CASE_IF(linux_reset_closes_all, needs_kvm),
};

const struct kt_suite linux_backend_suite =
	KT_SUITE("linux_backend", linux_backend_cases);
