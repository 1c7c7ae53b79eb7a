// SPDX-License-Identifier: MIT
/*
 * guest-tests/conformance/conf_modes.c - the order of fallocate's mode
 * checks (G45, G55): fs/open.c vfs_fallocate() refuses a mode it does not
 * know, or a mode that wants or forbids KEEP_SIZE, before it looks at the
 * file (ENODEV for a VM file, which is no regular file), and
 * virt/kvm/guest_memfd.c kvm_gmem_fallocate() refuses any mode but a
 * punch before it looks at the alignment of the range.
 */
#include "guest-tests/conformance/conf.h"

/* Catches the VFS's mode checks moved after the file-type check (a VM
 * handle would answer ENODEV to a mode the VFS refuses). */
CONF_CASE(g55_vm_handle_mode_checks_come_first)
{
	static const int refused[] = {
		GMV_FALLOC_PUNCH_HOLE,
		GMV_FALLOC_COLLAPSE_RANGE | KEEP,
		GMV_FALLOC_INSERT_RANGE | KEEP,
		GMV_FALLOC_WRITE_ZEROES | KEEP,
		GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_ZERO_RANGE | KEEP,
	};
	static const int accepted[] = {
		0,
		GMV_FALLOC_ZERO_RANGE,
		GMV_FALLOC_ZERO_RANGE | KEEP,
		GMV_FALLOC_UNSHARE_RANGE | KEEP,
		GMV_FALLOC_COLLAPSE_RANGE,
		GMV_FALLOC_WRITE_ZEROES,
	};
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		KT_EXPECT_ERRNO(t, v->ops->fallocate(v, vm, refused[i], 0, PG),
				EOPNOTSUPP);
	/* Modes the VFS lets through reach the file type. */
	for (size_t i = 0; i < ARRAY_SIZE(accepted); i++)
		KT_EXPECT_ERRNO(t, v->ops->fallocate(v, vm, accepted[i], 0, PG),
				ENODEV);
}

/* Catches gmem's alignment check moved before its mode check: a mode
 * other than a punch is EOPNOTSUPP whatever the range. */
CONF_CASE(g45_gmem_mode_checks_before_alignment)
{
	static const int modes[] = {
		GMV_FALLOC_ZERO_RANGE | KEEP,
		GMV_FALLOC_UNSHARE_RANGE | KEEP,
		GMV_FALLOC_ZERO_RANGE,
		0,
	};
	int g = conf_new_gmem(t, v, NULL, 4, 0);

	if (g < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, modes[i], 1, 7),
				EOPNOTSUPP);
		KT_EXPECT_ERRNO(t,
				v->ops->fallocate(v, g, modes[i], PG + 1, PG),
				EOPNOTSUPP);
	}
	/* A punch gets to the alignment. */
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, PUNCH, 1, 7), EINVAL);
}
