// SPDX-License-Identifier: MIT
/*
 * guest-tests/conformance/conf_convert.c - in-place conversion of gmem
 * pages between shared and private (the upstream series "guest_memfd:
 * In-place conversion support", not merged: KVM_SET_MEMORY_ATTRIBUTES2 on
 * the guest_memfd): range validation, no-ops, and what the host sees
 * through its mapping in each state.
 */
#include "guest-tests/conformance/conf.h"

static int convert(struct vmm *v, int g, u64 off, u64 size, bool priv)
{
	u64 err_off = ~0ULL;

	return v->ops->convert(v, g, off, size, priv, &err_off);
}

CONF_CASE(s5_convert_bad_range_einval)
{
	int g = conf_new_gmem(t, v, NULL, 8, GMEM_SHARED);

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, convert(v, g, 1, PG, true), EINVAL);
	KT_EXPECT_ERRNO(t, convert(v, g, 0, PG - 1, true), EINVAL);
	KT_EXPECT_ERRNO(t, convert(v, g, 0, 0, true), EINVAL);
	KT_EXPECT_ERRNO(t, convert(v, g, ~0ULL & ~(PG - 1), 2 * PG, true),
			EINVAL);
	KT_EXPECT_ERRNO(t, convert(v, g, 4 * PG, 8 * PG, true), EINVAL);
	/* Validation comes before the no-op test (all of it is shared). */
	KT_EXPECT_ERRNO(t, convert(v, g, 8 * PG, PG, false), EINVAL);
	KT_EXPECT_ERRNO(t, convert(v, g, 0, 0, false), EINVAL);
	KT_EXPECT_OK(t, convert(v, g, 0, 8 * PG, true));
}

CONF_CASE(s5_convert_to_state_it_has_is_a_noop)
{
	int g = conf_new_gmem(t, v, NULL, 4, GMEM_SHARED);
	u8 *b = conf_buf[0];

	if (g < 0)
		return;
	KT_EXPECT_OK(t, convert(v, g, 0, 4 * PG, false));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 0, b, PG));
	KT_EXPECT_OK(t, convert(v, g, PG, PG, true));
	KT_EXPECT_OK(t, convert(v, g, PG, PG, true));
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, PG, b, 1), VMM_SIGBUS);
}

CONF_CASE(s5_private_pages_sigbus_on_the_host)
{
	int g = conf_new_gmem(t, v, NULL, 4, GMEM_SHARED);
	u8 *a = conf_buf[0], *b = conf_buf[1];

	if (g < 0)
		return;
	conf_fill(a, PG, 0x51);
	for (int i = 0; i < 4; i++)
		KT_EXPECT_OK(t, v->ops->host_write(v, g, i * PG, a, PG));
	KT_EXPECT_OK(t, convert(v, g, PG, 2 * PG, true));
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, PG, b, 1), VMM_SIGBUS);
	KT_EXPECT_ERRNO(t, v->ops->host_write(v, g, 3 * PG - 1, a, 1),
			VMM_SIGBUS);
	/* An access running into a private page faults there. */
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, PG - 8, b, 16), VMM_SIGBUS);
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 0, b, PG));
	KT_EXPECT_MEM_EQ(t, a, b, PG);
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 3 * PG, b, PG));
	KT_EXPECT_MEM_EQ(t, a, b, PG);
	KT_EXPECT_OK(t, convert(v, g, PG, 2 * PG, false));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 2 * PG, b, PG));
	KT_EXPECT_MEM_EQ(t, a, b, PG);
}

CONF_CASE(s5_init_private_round_trip)
{
	int g = conf_new_gmem(t, v, NULL, 4, GMEM_MMAP);
	u8 *a = conf_buf[0], *b = conf_buf[1];

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, 0, b, 1), VMM_SIGBUS);
	KT_EXPECT_OK(t, convert(v, g, 0, 4 * PG, false));
	memset(b, 0xff, PG);
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 2 * PG, b, PG));
	KT_EXPECT(t, mem_is_zero(b, PG));
	conf_fill(a, PG, 0x5a);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 2 * PG, a, PG));
	KT_EXPECT_OK(t, convert(v, g, 0, 4 * PG, true));
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, 2 * PG, b, 1), VMM_SIGBUS);
	KT_EXPECT_OK(t, convert(v, g, 2 * PG, PG, false));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 2 * PG, b, 1));
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, 3 * PG, b, 1), VMM_SIGBUS);
}

CONF_CASE(s5_convert_before_allocation)
{
	int g = conf_new_gmem(t, v, NULL, 1024, GMEM_MMAP);
	u8 *b = conf_buf[0];

	if (g < 0)
		return;
	/* Only the state is recorded; pages come on first use. */
	KT_EXPECT_OK(t, convert(v, g, 512 * PG, 4 * PG, false));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 515 * PG, b, PG));
	KT_EXPECT(t, mem_is_zero(b, PG));
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, 516 * PG, b, 1), VMM_SIGBUS);
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, 511 * PG, b, 1), VMM_SIGBUS);
}

CONF_CASE(s5_punch_keeps_the_state)
{
	int g = conf_new_gmem(t, v, NULL, 4, GMEM_SHARED);
	u8 *a = conf_buf[0], *b = conf_buf[1];

	if (g < 0)
		return;
	conf_fill(a, PG, 0x5b);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 0, a, PG));
	KT_EXPECT_OK(t, v->ops->host_write(v, g, PG, a, PG));
	KT_EXPECT_OK(t, convert(v, g, PG, PG, true));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 0, 4 * PG));
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, PG, b, 1), VMM_SIGBUS);
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 0, b, PG));
	KT_EXPECT(t, mem_is_zero(b, PG));
	KT_EXPECT_OK(t, convert(v, g, PG, PG, false));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, PG, b, PG));
	KT_EXPECT(t, mem_is_zero(b, PG));
}

CONF_CASE(s5_convert_needs_a_gmem_handle)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	u64 err_off = 0;

	if (vm < 0)
		return;
	KT_EXPECT_ERRNO(t,
			v->ops->convert(v, BOGUS_HANDLE, 0, PG, true, &err_off),
			EBADF);
	KT_EXPECT_ERRNO(t, v->ops->convert(v, vm, 0, PG, true, &err_off),
			ENOTTY);
}
