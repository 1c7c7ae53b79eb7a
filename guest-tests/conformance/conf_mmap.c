// SPDX-License-Identifier: MIT
/*
 * guest-tests/conformance/conf_mmap.c - host access through the gmem's
 * shared mapping (G33-G40: virt/kvm/guest_memfd.c kvm_gmem_mmap() and
 * kvm_gmem_fault_user_mapping()) and what fallocate does to the data it
 * shows (G50, G53).
 */
#include "guest-tests/conformance/conf.h"

CONF_CASE(g33_no_mmap_flag_enodev)
{
	int plain = conf_new_gmem(t, v, NULL, 2, 0);
	int shared = conf_new_gmem(t, v, NULL, 2, GMV_GMEM_FLAG_INIT_SHARED);
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	u8 *b = conf_buf[0];

	if (plain < 0 || shared < 0 || vm < 0)
		return;
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, plain, 0, b, 8), ENODEV);
	KT_EXPECT_ERRNO(t, v->ops->host_write(v, plain, 0, b, 8), ENODEV);
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, shared, 0, b, 8), ENODEV);
	/* Checked before anything about the range. */
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, shared, 1ULL << 40, b, 8),
			ENODEV);
	/* A VM file has no mmap at all. */
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, vm, 0, b, 8), ENODEV);
}

CONF_CASE(g38_access_at_or_past_eof_sigbus)
{
	int g = conf_new_gmem(t, v, NULL, 4, GMEM_SHARED);
	u8 *a = conf_buf[0], *b = conf_buf[1];

	if (g < 0)
		return;
	conf_fill(a, PG, 0x38);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 3 * PG, a, PG));
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, 4 * PG, b, 1), VMM_SIGBUS);
	KT_EXPECT_ERRNO(t, v->ops->host_write(v, g, 4 * PG, a, 1), VMM_SIGBUS);
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, 40 * PG + 7, b, 1),
			VMM_SIGBUS);
	/* An access running over EOF stores the bytes before it, then
	 * faults at the first byte past it. */
	memset(b, 0x77, 16);
	KT_EXPECT_ERRNO(t, v->ops->host_write(v, g, 4 * PG - 8, b, 16),
			VMM_SIGBUS);
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 4 * PG - 8, b + 16, 8));
	KT_EXPECT_MEM_EQ(t, b, b + 16, 8);
	/* test_fault_overflow: the rest of the file is intact. */
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 3 * PG, b, PG - 8));
	KT_EXPECT_MEM_EQ(t, a, b, PG - 8);
	/* Length 0 touches nothing, wherever it points. */
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 40 * PG, b, 0));
}

CONF_CASE(g39_init_shared_pages_start_zero_and_stay_coherent)
{
	int g = conf_new_gmem(t, v, NULL, 8, GMEM_SHARED);
	u8 *a = conf_buf[0], *b = conf_buf[1];

	if (g < 0)
		return;
	memset(b, 0xff, PG);
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 5 * PG, b, PG));
	KT_EXPECT(t, mem_is_zero(b, PG));
	conf_fill(a, PG, 0x39);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 5 * PG, a, PG));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 5 * PG, b, PG));
	KT_EXPECT_MEM_EQ(t, a, b, PG);
	/* Unaligned accesses across a page boundary. */
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 2 * PG - 100, a, 300));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 2 * PG - 100, b, 300));
	KT_EXPECT_MEM_EQ(t, a, b, 300);
	KT_EXPECT_OK(t, v->ops->host_read(v, g, PG, b, PG - 100));
	KT_EXPECT(t, mem_is_zero(b, PG - 100));
}

CONF_CASE(g40_mmap_without_init_shared_sigbus)
{
	int g = conf_new_gmem(t, v, NULL, 4, GMEM_MMAP);
	u8 *b = conf_buf[0];

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, 0, b, 1), VMM_SIGBUS);
	KT_EXPECT_ERRNO(t, v->ops->host_write(v, g, PG, b, 1), VMM_SIGBUS);
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, KEEP, 0, 4 * PG));
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, 0, b, 1), VMM_SIGBUS);
	KT_EXPECT_ERRNO(t, v->ops->host_write(v, g, 3 * PG, b, PG), VMM_SIGBUS);
}

CONF_CASE(g50_allocate_keeps_existing_data)
{
	int g = conf_new_gmem(t, v, NULL, 4, GMEM_SHARED);
	u8 *a = conf_buf[0], *b = conf_buf[1];

	if (g < 0)
		return;
	conf_fill(a, PG, 0x50);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, PG, a, PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, KEEP, 0, 4 * PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, KEEP, 0, 4 * PG));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, PG, b, PG));
	KT_EXPECT_MEM_EQ(t, a, b, PG);
	/* Pages allocated but never used read as zero. */
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 3 * PG, b, PG));
	KT_EXPECT(t, mem_is_zero(b, PG));
}

CONF_CASE(g53_punch_zeroes_only_the_range)
{
	static const int kept[] = {0, 2, 3};
	int g = conf_new_gmem(t, v, NULL, 4, GMEM_SHARED);
	u8 *a = conf_buf[0], *b = conf_buf[1];

	if (g < 0)
		return;
	for (int i = 0; i < 4; i++) {
		conf_fill(a, PG, i);
		KT_EXPECT_OK(t, v->ops->host_write(v, g, i * PG, a, PG));
	}
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, PG, PG));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, PG, b, PG));
	KT_EXPECT(t, mem_is_zero(b, PG));
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
		conf_fill(a, PG, kept[i]);
		KT_EXPECT_OK(t, v->ops->host_read(v, g, kept[i] * PG, b, PG));
		KT_EXPECT_MEM_EQ(t, a, b, PG);
	}
	/* The size did not change and the hole takes new data. */
	conf_fill(a, PG, 0x53);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, PG, a, PG));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, PG, b, PG));
	KT_EXPECT_MEM_EQ(t, a, b, PG);
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, 4 * PG, b, 1), VMM_SIGBUS);
}
