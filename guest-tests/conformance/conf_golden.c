// SPDX-License-Identifier: MIT
/*
 * guest-tests/conformance/conf_golden.c - golden images and rebinding
 * policies as the VMM sees them through host accesses (hv/gmem.h; no
 * Linux uAPI: Linux answers the unknown ioctl, ENOTTY, and refuses the
 * policy flags as unknown, EINVAL, kvm_gmem_create()). The guest side is
 * guest.golden; the fault path and the models are native_golden.
 */
#include "guest-tests/conformance/conf.h"

#define GB (1ULL << 30)
#define GOLD_PAGES 16

/* A default VM's golden image of GOLD_PAGES pages, page p holding
 * conf_fill(seed p), sealed; its builder VM in *vm. */
static int golden(struct kt *t, struct vmm *v, int *vm)
{
	int g = conf_new_gmem(t, v, vm, GOLD_PAGES, GMEM_SHARED);

	for (u64 p = 0; g >= 0 && p < GOLD_PAGES; p++) {
		conf_fill(conf_buf[0], PG, (u8)p);
		if (!KT_EXPECT_OK(t, v->ops->host_write(v, g, p * PG,
							conf_buf[0], PG)))
			return -1;
	}
	if (g < 0 || !KT_EXPECT_OK(t, v->ops->gmem_seal(v, g)))
		return -1;
	return g;
}

/* Does page p of gmem g read as golden page p? */
static bool reads_golden(struct kt *t, struct vmm *v, int g, u64 p)
{
	conf_fill(conf_buf[0], PG, (u8)p);
	return KT_EXPECT_OK(t,
			    v->ops->host_read(v, g, p * PG, conf_buf[1], PG)) &&
	       KT_EXPECT_MEM_EQ(t, conf_buf[0], conf_buf[1], PG);
}

/* Where a backend lacks them, the calls are the unknown ioctl's and the
 * flags unknown ones; where it has them, bad handles and both policies
 * at once are refused. */
CONF_CASE(golden_and_policy_calls_where_absent_or_bad)
{
	int vm, g = conf_new_gmem(t, v, &vm, 1, 0);

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, v->ops->gmem_seal(v, BOGUS_HANDLE), EBADF);
	KT_EXPECT_ERRNO(t, v->ops->gmem_overlay(v, g, BOGUS_HANDLE), EBADF);
	KT_EXPECT_ERRNO(t, v->ops->gmem_seal(v, vm), ENOTTY);
	if (v->ops->lacks(v, VMM_FEAT_GOLDEN)) {
		KT_EXPECT_ERRNO(t, v->ops->gmem_seal(v, g), ENOTTY);
		KT_EXPECT_ERRNO(t, v->ops->gmem_overlay(v, g, g), ENOTTY);
	} else {
		KT_EXPECT_ERRNO(t, v->ops->gmem_overlay(v, vm, g), ENOTTY);
		KT_EXPECT_ERRNO(t, v->ops->gmem_overlay(v, g, vm), ENOTTY);
	}
	if (v->ops->lacks(v, VMM_FEAT_REBIND_POLICY)) {
		KT_EXPECT_ERRNO(
			t,
			v->ops->create_gmem(v, vm, PG,
					    VMM_GMEM_FLAG_ZERO_ON_UNBIND),
			EINVAL);
		KT_EXPECT_ERRNO(
			t,
			v->ops->create_gmem(v, vm, PG,
					    VMM_GMEM_FLAG_ZERO_ON_REBIND),
			EINVAL);
	} else {
		KT_EXPECT_ERRNO(t,
				v->ops->create_gmem(
					v, vm, PG,
					VMM_GMEM_FLAG_ZERO_ON_UNBIND |
						VMM_GMEM_FLAG_ZERO_ON_REBIND),
				EINVAL);
		KT_EXPECT(t,
			  CASE_OPEN(t, v->ops->create_gmem(
					       v, vm, PG,
					       VMM_GMEM_FLAG_ZERO_ON_REBIND)) >=
				  0);
	}
}

/* Nobody writes a golden image: host writes, pins' and fallocate's
 * changes, conversion to private and a memslot of its own are EPERM;
 * reads work, and a hole reads as zeros. */
CONF_CASE(golden_host_cannot_modify_it)
{
	int vm, g = golden(t, v, &vm), hole;
	u64 err_off;

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, v->ops->host_write(v, g, 3 * PG, "x", 1), EPERM);
	KT_EXPECT(t, reads_golden(t, v, g, 3));
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, PUNCH, 3 * PG, PG), EPERM);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, KEEP, 0, PG), EPERM);
	KT_EXPECT(t, reads_golden(t, v, g, 3));
	KT_EXPECT_ERRNO(t, v->ops->convert(v, g, 0, PG, true, &err_off), EPERM);
	KT_EXPECT_OK(t, v->ops->convert(v, g, 0, PG, false, &err_off));
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, PG, g, 0), EPERM);
	KT_EXPECT_OK(t, v->ops->gmem_seal(v, g));
	/* Fallocate's mode checks come first. */
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, PUNCH, 1, PG), EINVAL);
	hole = conf_new_gmem(t, v, NULL, 4, GMEM_SHARED);
	if (hole < 0 || !KT_EXPECT_OK(t, v->ops->gmem_seal(v, hole)))
		return;
	memset(conf_buf[1], 0xff, PG);
	KT_EXPECT_OK(t, v->ops->host_read(v, hole, 2 * PG, conf_buf[1], PG));
	KT_EXPECT(t, mem_is_zero(conf_buf[1], PG));
}

/* What may be sealed, and what may be stacked on what. */
CONF_CASE(golden_seal_and_overlay_refusals)
{
	int vm, g = golden(t, v, &vm), priv, bound, ov, small, plain, used;

	if (g < 0)
		return;
	/* Not all shared, bound. */
	priv = CASE_OPEN(t, v->ops->create_gmem(v, vm, PG, GMEM_MMAP));
	bound = CASE_OPEN(t, v->ops->create_gmem(v, vm, PG, GMEM_SHARED));
	if (bound < 0 ||
	    !KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, PG, bound, 0)))
		return;
	KT_EXPECT_ERRNO(t, v->ops->gmem_seal(v, priv), EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->gmem_seal(v, bound), EBUSY);
	/* Overlays: the right size, MMAP, empty, on a golden image. */
	ov = CASE_OPEN(
		t, v->ops->create_gmem(v, vm, GOLD_PAGES * PG, GMEM_SHARED));
	small = CASE_OPEN(t, v->ops->create_gmem(v, vm, PG, GMEM_SHARED));
	plain = CASE_OPEN(t, v->ops->create_gmem(v, vm, GOLD_PAGES * PG, 0));
	used = CASE_OPEN(
		t, v->ops->create_gmem(v, vm, GOLD_PAGES * PG, GMEM_SHARED));
	if (used < 0 ||
	    !KT_EXPECT_OK(t, v->ops->host_write(v, used, 0, "u", 1)))
		return;
	KT_EXPECT_ERRNO(t, v->ops->gmem_overlay(v, ov, bound), EINVAL);
	/* An image of the right size that is not sealed. */
	KT_EXPECT_ERRNO(t, v->ops->gmem_overlay(v, ov, used), EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->gmem_overlay(v, small, g), EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->gmem_overlay(v, plain, g), EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->gmem_overlay(v, used, g), EBUSY);
	/* A bound overlay (made empty again). */
	if (KT_EXPECT_OK(t, v->ops->fallocate(v, used, PUNCH, 0, PG)) &&
	    KT_EXPECT_OK(t, case_bind(v, vm, 1, 2 * GB, PG, used, 0))) {
		KT_EXPECT_ERRNO(t, v->ops->gmem_overlay(v, used, g), EBUSY);
		KT_EXPECT_OK(t, case_delete(v, vm, 1));
	}
	KT_EXPECT_ERRNO(t, v->ops->gmem_overlay(v, g, g), EINVAL);
	KT_EXPECT_OK(t, v->ops->gmem_overlay(v, ov, g));
	KT_EXPECT_ERRNO(t, v->ops->gmem_overlay(v, ov, g), EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->gmem_seal(v, ov), EINVAL);
}

/* Three VMs' overlays on one golden image: a write through one is seen
 * through it alone, a punch of it brings the golden page back. */
CONF_CASE(golden_overlay_writes_are_their_own)
{
	int vm[3], ov[3], gvm, g = golden(t, v, &gvm);

	if (g < 0)
		return;
	for (int i = 0; i < 3; i++) {
		vm[i] = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
		ov[i] = vm[i] < 0
				? -1
				: CASE_OPEN(t,
					    v->ops->create_gmem(v, vm[i],
								GOLD_PAGES * PG,
								GMEM_SHARED));
		if (ov[i] < 0 ||
		    !KT_EXPECT_OK(t, v->ops->gmem_overlay(v, ov[i], g)))
			return;
	}
	KT_EXPECT(t, reads_golden(t, v, ov[1], 7));
	memset(conf_buf[1], 0x5e, PG);
	KT_EXPECT_OK(
		t, v->ops->host_write(v, ov[0], 7 * PG + 100, conf_buf[1], 8));
	KT_EXPECT_OK(t, v->ops->host_read(v, ov[0], 7 * PG, conf_buf[1], PG));
	conf_fill(conf_buf[0], PG, 7);
	memset(conf_buf[0] + 100, 0x5e, 8);
	KT_EXPECT_MEM_EQ(t, conf_buf[0], conf_buf[1], PG);
	KT_EXPECT(t, reads_golden(t, v, ov[1], 7));
	KT_EXPECT(t, reads_golden(t, v, ov[2], 7));
	KT_EXPECT(t, reads_golden(t, v, g, 7));
	KT_EXPECT_OK(t, v->ops->fallocate(v, ov[0], PUNCH, 0, GOLD_PAGES * PG));
	KT_EXPECT(t, reads_golden(t, v, ov[0], 7));
	/* The golden image outlives its builder's handles. */
	KT_EXPECT_OK(t, v->ops->close(v, g));
	KT_EXPECT_OK(t, v->ops->close(v, gvm));
	KT_EXPECT(t, reads_golden(t, v, ov[2], 15));
}

/* ------------------------------------------------- rebinding policies */

/* Two default VMs, a's gmem of 4 pages with the policy, b's view. */
struct pair {
	int a, b, g, view;
};

static bool pair(struct kt *t, struct vmm *v, struct pair *s, u64 policy)
{
	s->g = conf_new_gmem(t, v, &s->a, 4, GMEM_SHARED | policy);
	s->b = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	s->view =
		s->g < 0 || s->b < 0
			? -1
			: CASE_OPEN(t, v->ops->create_gmem_view(v, s->g, s->b));
	return s->view >= 0 &&
	       KT_EXPECT_OK(t, case_bind(v, s->a, 0, GB, 4 * PG, s->g, 0)) &&
	       KT_EXPECT_OK(t, v->ops->host_write(v, s->g, PG, "secret", 6));
}

/* Does page 1 through gmem h hold a's "secret", or zeros? */
static bool holds_secret(struct kt *t, struct vmm *v, int h)
{
	KT_EXPECT_OK(t, v->ops->host_read(v, h, PG, conf_buf[0], PG));
	return !memcmp(conf_buf[0], "secret", 6);
}

static bool reads_zero(struct kt *t, struct vmm *v, int h)
{
	KT_EXPECT_OK(t, v->ops->host_read(v, h, 0, conf_buf[0], PG));
	KT_EXPECT_OK(t, v->ops->host_read(v, h, PG, conf_buf[1], PG));
	return mem_is_zero(conf_buf[0], PG) && mem_is_zero(conf_buf[1], PG);
}

/* Without a policy (Linux's choice, one VM per file) a's data stays for
 * the next binder: gmemvisor's second view is the VMM's own sharing. */
CONF_CASE(policy_none_keeps_the_data)
{
	struct pair s;

	if (!pair(t, v, &s, 0))
		return;
	KT_EXPECT_OK(t, case_bind(v, s.b, 0, GB, 4 * PG, s.view, 0));
	KT_EXPECT_OK(t, case_delete(v, s.a, 0));
	KT_EXPECT(t, holds_secret(t, v, s.view));
}

/* Zero on unbind: b may not bind while a does; a's slot deleted, its
 * pages are zero for everyone. */
CONF_CASE(policy_unbind_zeroes_when_the_slot_goes)
{
	struct pair s;
	int own;

	if (!pair(t, v, &s, VMM_GMEM_FLAG_ZERO_ON_UNBIND))
		return;
	KT_EXPECT_ERRNO(t, case_bind(v, s.b, 0, GB, 4 * PG, s.view, 0), EBUSY);
	KT_EXPECT(t, holds_secret(t, v, s.view));
	/* a itself may bind it again, through a second view of its own. */
	own = CASE_OPEN(t, v->ops->create_gmem_view(v, s.g, s.a));
	KT_EXPECT_OK(t, case_bind(v, s.a, 1, 2 * GB, PG, own, 3 * PG));
	KT_EXPECT_OK(t, case_delete(v, s.a, 1));
	KT_EXPECT(t, holds_secret(t, v, s.view));
	KT_EXPECT_OK(t, case_delete(v, s.a, 0));
	KT_EXPECT(t, reads_zero(t, v, s.view));
	/* What the VMM writes for b after that, b gets. */
	KT_EXPECT_OK(t, v->ops->host_write(v, s.view, PG, "for b", 5));
	KT_EXPECT_OK(t, case_bind(v, s.b, 0, GB, 4 * PG, s.view, 0));
	KT_EXPECT_OK(t, v->ops->host_read(v, s.view, PG, conf_buf[0], 5));
	KT_EXPECT(t, !memcmp(conf_buf[0], "for b", 5));
	KT_EXPECT_ERRNO(t, case_bind(v, s.a, 0, GB, 4 * PG, s.g, 0), EBUSY);
}

/* Zero on unbind when a exits with its slot bound. */
CONF_CASE(policy_unbind_zeroes_when_the_vm_exits)
{
	struct pair s;

	if (!pair(t, v, &s, VMM_GMEM_FLAG_ZERO_ON_UNBIND))
		return;
	/* Bound again over pages 0-1 only: the VMM's page 3 is no one's
	 * binding and stays. */
	KT_EXPECT_OK(t, case_delete(v, s.a, 0));
	KT_EXPECT_OK(t, v->ops->host_write(v, s.g, PG, "secret", 6));
	KT_EXPECT_OK(t, v->ops->host_write(v, s.g, 3 * PG, "kept", 4));
	KT_EXPECT_OK(t, case_bind(v, s.a, 0, GB, 2 * PG, s.g, 0));
	KT_EXPECT_OK(t, v->ops->close(v, s.g));
	KT_EXPECT_OK(t, v->ops->close(v, s.a));
	KT_EXPECT(t, reads_zero(t, v, s.view));
	KT_EXPECT_OK(t, v->ops->host_read(v, s.view, 3 * PG, conf_buf[0], 4));
	KT_EXPECT(t, !memcmp(conf_buf[0], "kept", 4));
	KT_EXPECT_OK(t, case_bind(v, s.b, 0, GB, 4 * PG, s.view, 0));
}

/* Zero on rebind: a's data survives a's unbinding and rebinding, not
 * b's binding. */
CONF_CASE(policy_rebind_zeroes_when_another_vm_binds)
{
	struct pair s;
	int c, cv;

	if (!pair(t, v, &s, VMM_GMEM_FLAG_ZERO_ON_REBIND))
		return;
	/* Another VM's view coming and going changes nothing. */
	c = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	cv = c < 0 ? -1 : CASE_OPEN(t, v->ops->create_gmem_view(v, s.g, c));
	KT_EXPECT_OK(t, v->ops->close(v, cv));
	KT_EXPECT(t, holds_secret(t, v, s.g));
	KT_EXPECT_ERRNO(t, case_bind(v, s.b, 0, GB, 4 * PG, s.view, 0), EBUSY);
	KT_EXPECT_OK(t, case_delete(v, s.a, 0));
	KT_EXPECT(t, holds_secret(t, v, s.view));
	KT_EXPECT_OK(t, case_bind(v, s.a, 0, GB, 4 * PG, s.g, 0));
	KT_EXPECT(t, holds_secret(t, v, s.g));
	KT_EXPECT_OK(t, case_delete(v, s.a, 0));
	KT_EXPECT_OK(t, case_bind(v, s.b, 0, GB, 4 * PG, s.view, 0));
	KT_EXPECT(t, reads_zero(t, v, s.view));
}

/* Zero on rebind when a exits: its last view going is the moment (no
 * later binder can be a). */
CONF_CASE(policy_rebind_zeroes_when_the_vm_exits)
{
	struct pair s;
	int own;

	if (!pair(t, v, &s, VMM_GMEM_FLAG_ZERO_ON_REBIND))
		return;
	/* a's second view going is not a's last. */
	own = CASE_OPEN(t, v->ops->create_gmem_view(v, s.g, s.a));
	KT_EXPECT_OK(t, v->ops->close(v, own));
	KT_EXPECT(t, holds_secret(t, v, s.view));
	KT_EXPECT_OK(t, v->ops->close(v, s.a));
	KT_EXPECT(t, holds_secret(t, v, s.view));
	KT_EXPECT_OK(t, v->ops->close(v, s.g));
	KT_EXPECT(t, reads_zero(t, v, s.view));
	KT_EXPECT_OK(t, case_bind(v, s.b, 0, GB, 4 * PG, s.view, 0));
	KT_EXPECT(t, reads_zero(t, v, s.view));
}
