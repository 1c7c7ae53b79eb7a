// SPDX-License-Identifier: MIT
/*
 * host-kernel/tests/bounds_test.c - the linux backend's bounds on what one
 * request may make the kernel keep (host-kernel/vmm_linux.c, "Bounds"):
 * valid requests above the bound are refused with -VMM_OVER_BOUND at once,
 * without reaching the kernel; requests up to the bound, and invalid
 * requests of any size, get the kernel's own answer.
 */
#include <time.h>
#include <unistd.h>

#include "host-kernel/tests/suites.h"
#include "host-kernel/vmm_linux.h"
#include "lib/ktap.h"

#define GIB (1ULL << 30)
#define PRIVATE GMV_MEMORY_ATTRIBUTE_PRIVATE

static const char *needs_private_attributes(struct kt *t)
{
	struct vmm v = { 0 };
	const char *why = needs_kvm(t);

	if (why)
		return why;
	if (vmm_linux_open(&v))
		return "out of memory";
	why = v.ops->lacks(&v, VMM_FEAT_SW_PROTECTED_VM);
	if (!why)
		why = v.ops->lacks(&v, VMM_FEAT_MEMORY_ATTRIBUTES);
	vmm_linux_close(&v);
	return why;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int attrs(struct vmm *v, int vm, u64 gpa, u64 size, u64 a, u64 f)
{
	return v->ops->set_attributes(v, vm, gpa, size, a, f);
}

/* 2^52 bytes of PRIVATE would reserve 2^40 xarray entries in the kernel. */
static void linux_attributes_bounded(struct kt *t)
{
	struct vmm v = { 0 };
	long long start;
	int vm;

	KT_ASSERT_OK(t, vmm_linux_open(&v));
	vm = v.ops->create_vm(&v, GMV_VM_SW_PROTECTED);
	if (!KT_EXPECT_GE(t, vm, 0))
		goto out;
	/* Clearing on a VM that never had attributes stores nothing, also
	 * after a request to set them that failed. */
	KT_EXPECT_ERRNO(t, attrs(&v, vm, 0, PAGE_SIZE, BIT(0), 0), EINVAL);
	KT_EXPECT_OK(t, attrs(&v, vm, 0, 1ULL << 52, 0, 0));
	start = now_ms();
	KT_EXPECT_ERRNO(t, attrs(&v, vm, 0, 1ULL << 52, PRIVATE, 0),
			VMM_OVER_BOUND);
	KT_EXPECT_ERRNO(t, attrs(&v, vm, 0, GIB + PAGE_SIZE, PRIVATE, 0),
			VMM_OVER_BOUND);
	KT_EXPECT_LT(t, now_ms() - start, 1000LL);
	/* Invalid requests of any size reach the kernel and its EINVAL. */
	KT_EXPECT_ERRNO(t, attrs(&v, vm, 0, 1ULL << 52, PRIVATE, 1), EINVAL);
	KT_EXPECT_ERRNO(t, attrs(&v, vm, 0, 1ULL << 52, BIT(0), 0), EINVAL);
	KT_EXPECT_ERRNO(t, attrs(&v, vm, 1, 1ULL << 52, PRIVATE, 0), EINVAL);
	KT_EXPECT_ERRNO(t, attrs(&v, vm, ~0ULL << 12, 1ULL << 52, PRIVATE, 0),
			EINVAL);
	/* Up to the bound the kernel does it. */
	KT_EXPECT_OK(t, attrs(&v, vm, 0, GIB, PRIVATE, 0));
	/* Once attributes are set, clearing a big range would reserve. */
	KT_EXPECT_ERRNO(t, attrs(&v, vm, 0, 1ULL << 52, 0, 0), VMM_OVER_BOUND);
	KT_EXPECT_OK(t, attrs(&v, vm, 0, GIB, 0, 0));
out:
	vmm_linux_close(&v);
}

/* fallocate allocates every page: more than 256 MiB at once is refused. */
static void linux_fallocate_bounded(struct kt *t)
{
	struct vmm v = { 0 };
	int vm, g;

	KT_ASSERT_OK(t, vmm_linux_open(&v));
	vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);
	g = v.ops->create_gmem(&v, vm, 4 * GIB, 0);
	if (!KT_EXPECT_GE(t, vm, 0) || !KT_EXPECT_GE(t, g, 0))
		goto out;
	KT_EXPECT_ERRNO(t, v.ops->fallocate(&v, g, GMV_FALLOC_KEEP_SIZE, 0,
					    (s64)GIB),
			VMM_OVER_BOUND);
	KT_EXPECT_ERRNO(t, v.ops->fallocate(&v, g, GMV_FALLOC_KEEP_SIZE,
					    PAGE_SIZE, (256LL << 20) + 4096),
			VMM_OVER_BOUND);
	/* Invalid: the kernel answers (mode, alignment, past the file). */
	KT_EXPECT_ERRNO(t, v.ops->fallocate(&v, g, 0, 0, (s64)GIB),
			EOPNOTSUPP);
	KT_EXPECT_ERRNO(t, v.ops->fallocate(&v, g, GMV_FALLOC_KEEP_SIZE, 1,
					    (s64)GIB),
			EINVAL);
	KT_EXPECT_ERRNO(t, v.ops->fallocate(&v, g, GMV_FALLOC_KEEP_SIZE,
					    (s64)(3 * GIB), (s64)(2 * GIB)),
			EINVAL);
	/* Punching allocates nothing, whatever the size. */
	KT_EXPECT_OK(t, v.ops->fallocate(&v, g,
					 GMV_FALLOC_KEEP_SIZE |
						 GMV_FALLOC_PUNCH_HOLE,
					 0, (s64)(4 * GIB)));
	KT_EXPECT_OK(t, v.ops->fallocate(&v, g, GMV_FALLOC_KEEP_SIZE, 0,
					 16 * PAGE_SIZE));
out:
	vmm_linux_close(&v);
}

static int region(struct vmm *v, int vm, u32 slot, u32 flags, u64 gpa,
		  u64 size, int gmem)
{
	struct vmm_region r = { .slot = slot, .flags = flags,
				.guest_phys_addr = gpa, .memory_size = size,
				.guest_memfd = gmem };

	return v->ops->set_region(v, vm, &r);
}

/* A memslot gets per-page metadata: more than 64 MiB of it is refused. */
static void linux_memslot_bounded(struct kt *t)
{
	struct vmm v = { 0 };
	int vm, g;

	KT_ASSERT_OK(t, vmm_linux_open(&v));
	vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);
	g = v.ops->create_gmem(&v, vm, 1ULL << 40, 0);
	if (!KT_EXPECT_GE(t, vm, 0) || !KT_EXPECT_GE(t, g, 0))
		goto out;
	/* Dirty logging: 2 bits a page, 64 MiB for 1 TiB, over the bound. */
	KT_EXPECT_ERRNO(t, region(&v, vm, 0, GMV_MEM_LOG_DIRTY_PAGES,
				  1ULL << 40, 1ULL << 40, -1),
			VMM_OVER_BOUND);
	/* 1 TiB of rmaps is 2 GiB where KVM shadows page tables; with TDP
	 * only the large-page info (2 MiB) is left, which the kernel gets. */
	if (v.ops->fact(&v, VMM_FACT_TDP) == 1) {
		kt_diag(t, "TDP: a 1 TiB slot without dirty logging is let through");
		KT_EXPECT_OK(t, region(&v, vm, 2, GMV_MEM_GUEST_MEMFD,
				       1ULL << 40, 1ULL << 40, g));
		KT_EXPECT_OK(t, region(&v, vm, 2, 0, 1ULL << 40, 0, -1));
	} else {
		KT_EXPECT_ERRNO(t, region(&v, vm, 2, GMV_MEM_GUEST_MEMFD,
					  1ULL << 40, 1ULL << 40, g),
				VMM_OVER_BOUND);
	}
	/* Invalid: too many pages, unaligned, bad flags, past the file. */
	KT_EXPECT_ERRNO(t, region(&v, vm, 0, 0, 0, 1ULL << 43, -1), EINVAL);
	KT_EXPECT_ERRNO(t, region(&v, vm, 0, 0, 1, 2 * GIB, -1), EINVAL);
	KT_EXPECT_ERRNO(t, region(&v, vm, 0, BIT(7), 0, 2 * GIB, -1), EINVAL);
	KT_EXPECT_ERRNO(t, region(&v, vm, GMV_USER_MEM_SLOTS, 0, 0, 2 * GIB,
				  -1),
			EINVAL);
	KT_EXPECT_ERRNO(t, region(&v, vm, 0, GMV_MEM_GUEST_MEMFD, 0,
				  (1ULL << 40) + GIB, g),
			EINVAL);
	/* Up to the bound the kernel does it: 64 GiB dirty-logged is 4 MiB
	 * of bitmap (and 128 MiB of rmaps without TDP: 4 GiB then). */
	KT_EXPECT_OK(t, region(&v, vm, 0, GMV_MEM_LOG_DIRTY_PAGES, 1ULL << 37,
			       v.ops->fact(&v, VMM_FACT_TDP) == 1 ? 64 * GIB
								 : 4 * GIB,
			       -1));
	KT_EXPECT_OK(t, region(&v, vm, 1, GMV_MEM_GUEST_MEMFD, 1ULL << 33,
			       GIB, g));
out:
	vmm_linux_close(&v);
}

static const struct kt_case linux_bounds_cases[] = {
	KT_CASE_IF(linux_attributes_bounded, needs_private_attributes),
	KT_CASE_IF(linux_fallocate_bounded, needs_kvm),
	KT_CASE_IF(linux_memslot_bounded, needs_gmem),
};

const struct kt_suite linux_bounds_suite =
	KT_SUITE("linux_bounds", linux_bounds_cases);
