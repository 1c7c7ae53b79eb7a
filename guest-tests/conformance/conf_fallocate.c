// SPDX-License-Identifier: MIT
/*
 * guest-tests/conformance/conf_fallocate.c - fallocate(2) on a gmem
 * (G44-G52, G55): the VFS checks of fs/open.c vfs_fallocate() come first
 * (EINVAL, EOPNOTSUPP, EFBIG), then those of virt/kvm/guest_memfd.c
 * kvm_gmem_fallocate() (EOPNOTSUPP, EINVAL), then the work.
 */
#include "guest-tests/conformance/conf.h"

#define NEAR_MAX 0x7ffffffffffff000LL

CONF_CASE(g44_plain_allocate_eopnotsupp)
{
	int g = conf_new_gmem(t, v, NULL, 4, 0);

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, 0, 0, PG), EOPNOTSUPP);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, 0, 1, 7), EOPNOTSUPP);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, 0, 64 * PG, PG), EOPNOTSUPP);
}

CONF_CASE(g45_other_modes_eopnotsupp)
{
	static const int modes[] = {
		GMV_FALLOC_ZERO_RANGE,
		GMV_FALLOC_ZERO_RANGE | KEEP,
		GMV_FALLOC_COLLAPSE_RANGE,
		GMV_FALLOC_INSERT_RANGE,
		GMV_FALLOC_UNSHARE_RANGE,
		GMV_FALLOC_UNSHARE_RANGE | KEEP,
		GMV_FALLOC_WRITE_ZEROES,
		GMV_FALLOC_WRITE_ZEROES | KEEP,
		GMV_FALLOC_NO_HIDE_STALE | KEEP,
		0x100 | KEEP,
		GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_ZERO_RANGE | KEEP,
		GMV_FALLOC_COLLAPSE_RANGE | KEEP,
		(int)0x80000000 | KEEP,
	};
	int g = conf_new_gmem(t, v, NULL, 4, 0);

	if (g < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, modes[i], 0, PG),
				EOPNOTSUPP);
}

CONF_CASE(g46_punch_without_keep_size_eopnotsupp)
{
	int g = conf_new_gmem(t, v, NULL, 4, 0);

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t,
			v->ops->fallocate(v, g, GMV_FALLOC_PUNCH_HOLE, 0, PG),
			EOPNOTSUPP);
}

CONF_CASE(g47_unaligned_ranges_einval)
{
	/* test_invalid_punch_hole's offsets and lengths. */
	static const struct {
		s64 off, len;
	} bad[] = {
		{0, 1},		  {0, PG - 1},	    {0, PG + 1}, {1, PG},
		{PG - 1, PG},	  {PG + 1, PG},	    {1, 1},	 {PG - 1, 1},
		{PG + 1, PG - 1}, {2 * PG, PG + 1},
	};
	int g = conf_new_gmem(t, v, NULL, 4, 0);

	if (g < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		KT_EXPECT_ERRNO(
			t,
			v->ops->fallocate(v, g, PUNCH, bad[i].off, bad[i].len),
			EINVAL);
		KT_EXPECT_ERRNO(
			t,
			v->ops->fallocate(v, g, KEEP, bad[i].off, bad[i].len),
			EINVAL);
	}
}

CONF_CASE(g48_empty_or_negative_einval_before_mode)
{
	int g = conf_new_gmem(t, v, NULL, 4, 0);

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, KEEP, 0, 0), EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, PUNCH, -PG, PG), EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, KEEP, 0, -PG), EINVAL);
	/* The VFS looks at the range before the mode. */
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, 0x100, 0, 0), EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, 0, -1, PG), EINVAL);
}

CONF_CASE(g49_offset_plus_len_overflow_efbig)
{
	int g = conf_new_gmem(t, v, NULL, 4, 0);

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, KEEP, NEAR_MAX, PG), EFBIG);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, PUNCH, NEAR_MAX, 2 * PG),
			EFBIG);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, PUNCH, PG, INT64_MAX),
			EFBIG);
	/* EFBIG is the VFS's: it beats gmem's mode and alignment checks... */
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, 0, NEAR_MAX, PG), EFBIG);
	KT_EXPECT_ERRNO(t,
			v->ops->fallocate(v, g, GMV_FALLOC_COLLAPSE_RANGE,
					  NEAR_MAX, PG),
			EFBIG);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, KEEP, NEAR_MAX + 1, PG),
			EFBIG);
	/* ...but not the VFS's own mode checks. */
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, 0x100, NEAR_MAX, PG),
			EOPNOTSUPP);
	/* Ending exactly at 2^63 - 1 is not an overflow. */
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, PUNCH, NEAR_MAX, PG - 1),
			EINVAL);
}

CONF_CASE(g50_allocate_inside_file_is_idempotent)
{
	int g = conf_new_gmem(t, v, NULL, 8, 0);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, KEEP, 0, 8 * PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, KEEP, 0, 8 * PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, KEEP, 3 * PG, PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 0, 8 * PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, KEEP, 7 * PG, PG));
}

CONF_CASE(g51_allocate_past_eof_einval)
{
	int g = conf_new_gmem(t, v, NULL, 8, 0);

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, KEEP, 4 * PG, 8 * PG),
			EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, KEEP, 8 * PG, PG), EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, KEEP, 100 * PG, PG), EINVAL);
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, KEEP, 7 * PG, PG));
}

CONF_CASE(g52_punch_anywhere_ok)
{
	int g = conf_new_gmem(t, v, NULL, 8, 0);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 0, PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 8 * PG, PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 6 * PG, 16 * PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 1000 * PG, PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 0, NEAR_MAX));
}

CONF_CASE(g55_fallocate_after_vm_handle_closed)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 8 * PG, 0));

	if (g < 0)
		return;
	KT_EXPECT_OK(t, v->ops->close(v, vm));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, KEEP, 0, 8 * PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 0, 4 * PG));
}

CONF_CASE(g55_fallocate_on_a_vm_handle_enodev)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return;
	/* A VM file is not a regular file: ENODEV after the mode checks,
	 * before the overflow check (observed on the 6.18 host). */
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, vm, KEEP, 0, PG), ENODEV);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, vm, PUNCH, 0, PG), ENODEV);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, vm, KEEP, NEAR_MAX, 2 * PG),
			ENODEV);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, vm, 0x100 | KEEP, 0, PG),
			EOPNOTSUPP);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, vm, KEEP, 0, 0), EINVAL);
}
