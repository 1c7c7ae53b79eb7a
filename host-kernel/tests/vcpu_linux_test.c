// SPDX-License-Identifier: MIT
/*
 * host-kernel/tests/vcpu_linux_test.c - self-tests of the linux backend's
 * guest-memory and vCPU calls that the guest cases do not reach: GPA
 * accesses across slots and through each kind of slot, and the errors of
 * vCPU calls on the wrong handles. Running guests is the guest suite's
 * job (build/host/guests-linux).
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "host-kernel/tests/suites.h"
#include "host-kernel/vmm_linux.h"
#include "lib/ktap.h"

#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)

/* Open the backend with one VM; false (after a failed check) if not. */
static bool open_vm(struct kt *t, struct vmm *v, int *vm)
{
	if (!KT_EXPECT_OK(t, vmm_linux_open(v)))
		return false;
	*vm = v->ops->create_vm(v, GMV_VM_DEFAULT);
	return KT_EXPECT(t, *vm >= 0);
}

static int add_slot(struct vmm *v, int vm, u32 slot, u64 gpa, u64 size,
		    int gmem)
{
	struct vmm_region r = {
		.slot = slot,
		.flags = gmem >= 0 ? GMV_MEM_GUEST_MEMFD : 0,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.guest_memfd = gmem,
	};

	return v->ops->set_region(v, vm, &r);
}

/* An access that spans two adjacent slots lands in both; bytes outside
 * every slot are EFAULT, also in part. */
static void linux_guest_rw_spans_slots(struct kt *t)
{
	u8 in[16], out[16] = { 0 }, half[8];
	struct vmm v = { 0 };
	int vm;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = 0xa0 + i;
	if (!open_vm(t, &v, &vm))
		goto out;
	KT_EXPECT_OK(t, add_slot(&v, vm, 0, 0, PAGE_SIZE, -1));
	KT_EXPECT_OK(t, add_slot(&v, vm, 1, PAGE_SIZE, PAGE_SIZE, -1));
	KT_EXPECT_OK(t, v.ops->guest_write(&v, vm, PAGE_SIZE - 8, in, 16));
	KT_EXPECT_OK(t, v.ops->guest_read(&v, vm, PAGE_SIZE - 8, out, 16));
	KT_EXPECT_MEM_EQ(t, in, out, 16);
	KT_EXPECT_OK(t, v.ops->guest_read(&v, vm, PAGE_SIZE, half, 8));
	KT_EXPECT_MEM_EQ(t, half, in + 8, 8);
	KT_EXPECT_ERRNO(t, v.ops->guest_read(&v, vm, 2 * PAGE_SIZE - 8, out,
					     16),
			EFAULT);
	KT_EXPECT_ERRNO(t, v.ops->guest_write(&v, vm, 3 * PAGE_SIZE, in, 1),
			EFAULT);
	KT_EXPECT_ERRNO(t, v.ops->guest_read(&v, VMM_BAD_HANDLE, 0, out, 1),
			EBADF);
out:
	vmm_linux_close(&v);
}

/* gmem-only slots are the gmem pages (G89); a slot on a gmem without
 * MMAP is its own memory (G88); a released gmem backs nothing. */
static void linux_guest_rw_gmem_slots(struct kt *t)
{
	u64 in = 0x1122334455667788ULL, out = 0;
	struct vmm v = { 0 };
	int vm, shared, plain;

	if (!open_vm(t, &v, &vm))
		goto out;
	shared = v.ops->create_gmem(&v, vm, SZ_2M, SHARED_FLAGS);
	plain = v.ops->create_gmem(&v, vm, SZ_2M, 0);
	if (!KT_EXPECT(t, shared >= 0 && plain >= 0))
		goto out;
	KT_EXPECT_OK(t, add_slot(&v, vm, 1, SZ_1G, SZ_2M, shared));
	KT_EXPECT_OK(t, add_slot(&v, vm, 2, 2 * SZ_1G, SZ_2M, plain));

	KT_EXPECT_OK(t, v.ops->guest_write(&v, vm, SZ_1G + 8, &in, 8));
	KT_EXPECT_OK(t, v.ops->host_read(&v, shared, 8, &out, 8));
	KT_EXPECT_EQ(t, out, in);

	KT_EXPECT_OK(t, v.ops->guest_write(&v, vm, 2 * SZ_1G + 8, &in, 8));
	out = 0;
	KT_EXPECT_OK(t, v.ops->guest_read(&v, vm, 2 * SZ_1G + 8, &out, 8));
	KT_EXPECT_EQ(t, out, in);
	KT_EXPECT_ERRNO(t, v.ops->host_read(&v, plain, 8, &out, 8), ENODEV);

	KT_EXPECT_OK(t, v.ops->close(&v, shared));
	KT_EXPECT_ERRNO(t, v.ops->guest_read(&v, vm, SZ_1G, &out, 8), EFAULT);
out:
	vmm_linux_close(&v);
}

/* vCPU calls on a handle that is not a vCPU answer like KVM does; a
 * VM takes several vCPUs. */
static void linux_vcpu_wrong_handles(struct kt *t)
{
	struct vmm_entry e = { 0 };
	struct vmm_exit exit = { 0 };
	struct vmm_regs r;
	struct vmm v = { 0 };
	int vm, g, vcpu, second;

	if (!open_vm(t, &v, &vm))
		goto out;
	g = v.ops->create_gmem(&v, vm, SZ_2M, 0);
	KT_EXPECT(t, g >= 0);
	KT_EXPECT_ERRNO(t, v.ops->create_vcpu(&v, VMM_BAD_HANDLE), EBADF);
	KT_EXPECT_ERRNO(t, v.ops->create_vcpu(&v, g), ENOTTY);
	KT_EXPECT_ERRNO(t, v.ops->vcpu_run(&v, vm, &exit), ENOTTY);
	KT_EXPECT_ERRNO(t, v.ops->vcpu_enter(&v, g, &e), ENOTTY);
	KT_EXPECT_ERRNO(t, v.ops->vcpu_get_regs(&v, VMM_BAD_HANDLE, &r),
			EBADF);
	vcpu = v.ops->create_vcpu(&v, vm);
	if (!KT_EXPECT(t, vcpu >= 0))
		goto out;
	KT_EXPECT_OK(t, v.ops->vcpu_get_regs(&v, vcpu, &r));
	r.rax = 0x1234;
	KT_EXPECT_OK(t, v.ops->vcpu_set_regs(&v, vcpu, &r));
	memset(&r, 0, sizeof(r));
	KT_EXPECT_OK(t, v.ops->vcpu_get_regs(&v, vcpu, &r));
	KT_EXPECT_EQ(t, r.rax, 0x1234);
	second = v.ops->create_vcpu(&v, vm);
	KT_EXPECT(t, second >= 0 && second != vcpu);
	KT_EXPECT_OK(t, v.ops->close(&v, vcpu));
	KT_EXPECT_ERRNO(t, v.ops->vcpu_run(&v, vcpu, &exit), EBADF);
	KT_EXPECT(t, fcntl(vcpu, F_GETFD) < 0);
out:
	vmm_linux_close(&v);
}

static const struct kt_case linux_vcpu_cases[] = {
	KT_CASE_IF(linux_guest_rw_spans_slots, needs_kvm),
	KT_CASE_IF(linux_guest_rw_gmem_slots, needs_gmem),
	KT_CASE_IF(linux_vcpu_wrong_handles, needs_kvm),
};

const struct kt_suite linux_vcpu_suite =
	KT_SUITE("linux_vcpu", linux_vcpu_cases);
