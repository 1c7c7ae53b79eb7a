// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/private.c - private memory in a sw_protected VM, with
 * the per-VM attributes (virt/kvm/kvm_main.c
 * kvm_vm_ioctl_set_mem_attributes(); an access whose kind differs from
 * its gfn's attribute is a memory-fault exit, arch/x86/kvm/mmu/mmu.c
 * kvm_mmu_faultin_pfn()): explicit conversion by KVM_HC_MAP_GPA_RANGE,
 * implicit conversion on a memory-fault exit, private pages zero on first
 * use and hidden from the host, and a private access to a deleted memslot.
 */
#include "guest-tests/cases/cases.h"
#include "guest-tests/guests/programs.h"
#include "guest-tests/host_mem.h"

#define TEST_SLOT 1
#define PRIV_LEN (PRIV_PAGES * PAGE_SIZE)

struct priv {
	int gmem;
	u64 len;
	unsigned int calls; /* hypercalls or memory faults handled */
};

/* Memslot TEST_SLOT of g's VM: size bytes of gmem at GUEST_TEST_GPA. */
static int test_slot(struct guest *g, int gmem, u64 size)
{
	return case_bind(g->v, g->vm, TEST_SLOT, GUEST_TEST_GPA, size, gmem, 0);
}

/* A sw_protected guest with a guest_memfd slot (flags 0) over len bytes
 * at GUEST_TEST_GPA; false after a failed check. */
static bool priv_setup(struct kt *t, struct vmm *v, struct guest *g,
		       struct priv *p, u64 len)
{
	if (!KT_EXPECT_OK(t, guest_create(v, GMV_VM_SW_PROTECTED, g)))
		return false;
	*p = (struct priv){ .len = len };
	g->data = p;
	p->gmem = case_gmem_slot(t, g, TEST_SLOT, GUEST_TEST_GPA, len, 0);
	return p->gmem >= 0;
}

static int set_private(struct guest *g, u64 gpa, u64 len, bool private)
{
	u64 attrs = private ? GMV_MEMORY_ATTRIBUTE_PRIVATE : 0;

	return g->v->ops->set_attributes(g->v, g->vm, gpa, len, attrs, 0);
}

static enum guest_action explicit_sync(struct kt *t, struct guest *g,
				       u64 stage, u64 arg)
{
	u64 page3 = GUEST_TEST_GPA + 3 * PAGE_SIZE;

	switch (stage) {
	case 1:
	case 2: /* The host sees the shared data only, never private. */
		KT_EXPECT_PATTERN(t, g->v,
				  gpa_range(g->vm, GUEST_TEST_GPA, PRIV_LEN),
				  PRIV_SHARED_SEED);
		return GUEST_RESUME;
	case 3:
		KT_EXPECT_PATTERN(t, g->v, gpa_range(g->vm, page3, PAGE_SIZE),
				  PRIV_SHARED2_SEED);
		return GUEST_RESUME;
	default:
		KT_EXPECT_LE(t, stage, 3);
		return GUEST_ABORT;
	}
}

/*
 * MAP_GPA_RANGE as the selftest's host does it: set the attributes, and
 * when going shared, punch the private copies out of the guest_memfd.
 * Expected calls: pages 2..5 private, then page 3 shared.
 */
static enum guest_action explicit_exit(struct kt *t, struct guest *g, int ret,
				       struct vmm_exit *e)
{
	static const struct {
		u64 page, npages, attrs;
	} calls[] = { { 2, 4, GMV_MAP_GPA_RANGE_ENCRYPTED },
		      { 3, 1, GMV_MAP_GPA_RANGE_DECRYPTED } };
	struct priv *p = g->data;
	u64 gpa = e->hypercall.args[0], len = e->hypercall.args[1] * PAGE_SIZE;
	bool private = e->hypercall.args[2] & GMV_MAP_GPA_RANGE_ENCRYPTED;

	if (ret || e->reason != GMV_EXIT_HYPERCALL)
		return GUEST_UNHANDLED;
	if (!KT_EXPECT_LT(t, p->calls, ARRAY_SIZE(calls)) ||
	    !KT_EXPECT_EQ(t, e->hypercall.nr, GMV_HC_MAP_GPA_RANGE))
		return GUEST_ABORT;
	KT_EXPECT_EQ(t, gpa, GUEST_TEST_GPA + calls[p->calls].page * PAGE_SIZE);
	KT_EXPECT_EQ(t, e->hypercall.args[1], calls[p->calls].npages);
	KT_EXPECT_EQ(t, e->hypercall.args[2], calls[p->calls].attrs);
	p->calls++;
	if (!KT_EXPECT_OK(t, set_private(g, gpa, len, private)))
		return GUEST_ABORT;
	if (!private &&
	    !KT_EXPECT_OK(t, g->v->ops->fallocate(
				     g->v, p->gmem,
				     GMV_FALLOC_PUNCH_HOLE |
					     GMV_FALLOC_KEEP_SIZE,
				     gpa - GUEST_TEST_GPA, len)))
		return GUEST_ABORT;
	e->hypercall.ret = 0;
	return GUEST_RESUME;
}

static const struct guest_handlers explicit_handlers = {
	.sync = explicit_sync,
	.exit = explicit_exit,
};

/* Guest-driven conversion with KVM_HC_MAP_GPA_RANGE (as in
 * private_mem_conversions_test). */
GUEST_CASE(guest_private_explicit_conversion)
{
	struct priv p;
	struct guest g;

	if (!priv_setup(t, v, &g, &p, PRIV_LEN))
		return;
	KT_ASSERT_OK(t, guest_start(&g, "private_explicit", GUEST_TEST_GPA,
				    PRIV_LEN));
	KT_EXPECT_DONE(t, &g, &explicit_handlers);
	KT_EXPECT_EQ(t, p.calls, 2);
	KT_EXPECT_EQ(t, g.stage, 3);
}

static enum guest_action implicit_exit(struct kt *t, struct guest *g, int ret,
				       struct vmm_exit *e)
{
	struct priv *p = g->data;
	u64 page1 = GUEST_TEST_GPA + PAGE_SIZE;

	if (ret != -EFAULT || e->reason != GMV_EXIT_MEMORY_FAULT)
		return GUEST_UNHANDLED;
	if (!KT_EXPECT_EQ(t, p->calls++, 0))
		return GUEST_ABORT;
	KT_EXPECT_EQ(t, e->memory_fault.flags, GMV_MEMORY_EXIT_FLAG_PRIVATE);
	KT_EXPECT_EQ(t, e->memory_fault.gpa, page1);
	KT_EXPECT_EQ(t, e->memory_fault.size, PAGE_SIZE);
	return KT_EXPECT_OK(t, set_private(g, page1, PAGE_SIZE, false)) ?
		       GUEST_RESUME :
		       GUEST_ABORT;
}

static const struct guest_handlers implicit_handlers = {
	.exit = implicit_exit,
};

/* A private access to memory without guest_memfd is a private memory
 * fault (kvm_mmu_faultin_pfn(); x86/private_mem_kvm_exits_test.c in the
 * KVM selftests); converting the page to shared lets it complete on the
 * host's data. */
GUEST_CASE(guest_private_implicit_conversion)
{
	struct vmm_region normal = {
		.slot = TEST_SLOT,
		.guest_phys_addr = GUEST_TEST_GPA,
		.memory_size = 2 * PAGE_SIZE,
	};
	struct priv p = { .gmem = VMM_BAD_HANDLE };
	struct guest g;

	KT_ASSERT_OK(t, guest_create(v, GMV_VM_SW_PROTECTED, &g));
	g.data = &p;
	KT_ASSERT_OK(t, v->ops->set_region(v, g.vm, &normal));
	KT_ASSERT_OK(t, mem_fill(v, gpa_range(g.vm, GUEST_TEST_GPA,
					      2 * PAGE_SIZE),
				 PRIV_FAULT_SEED));
	KT_ASSERT_OK(t, set_private(&g, GUEST_TEST_GPA + PAGE_SIZE, PAGE_SIZE,
				    true));
	KT_ASSERT_OK(t, guest_start(&g, "private_fault", GUEST_TEST_GPA,
				    2 * PAGE_SIZE));
	KT_EXPECT_DONE(t, &g, &implicit_handlers);
	KT_EXPECT_EQ(t, p.calls, 1);
}

static enum guest_action zero_sync(struct kt *t, struct guest *g, u64 stage,
				   u64 arg)
{
	struct priv *p = g->data;
	u64 word;

	if (!KT_EXPECT_EQ(t, stage, 1))
		return GUEST_ABORT;
	KT_EXPECT_PATTERN(t, g->v, gpa_range(g->vm, GUEST_TEST_GPA, p->len),
			  PRIV_ZERO_HOST_SEED);
	/* No host mapping of a guest_memfd without MMAP (G33). */
	KT_EXPECT_ERRNO(t, g->v->ops->host_read(g->v, p->gmem, 0, &word,
						sizeof(word)),
			ENODEV);
	return KT_EXPECT_OK(t, set_private(g, GUEST_TEST_GPA, p->len, false)) ?
		       GUEST_RESUME :
		       GUEST_ABORT;
}

static const struct guest_handlers zero_handlers = {
	.sync = zero_sync,
};

/* Private pages start zero whatever the shared memory holds, and what
 * the guest writes there never shows on the host side. */
GUEST_CASE(guest_private_zero_and_hidden)
{
	struct priv p;
	struct guest g;

	if (!priv_setup(t, v, &g, &p, PRIV_LEN))
		return;
	KT_ASSERT_OK(t, mem_fill(v, gpa_range(g.vm, GUEST_TEST_GPA, PRIV_LEN),
				 PRIV_ZERO_HOST_SEED));
	KT_ASSERT_OK(t, set_private(&g, GUEST_TEST_GPA, PRIV_LEN, true));
	KT_ASSERT_OK(t, guest_start(&g, "private_zero", GUEST_TEST_GPA,
				    PRIV_LEN));
	KT_EXPECT_DONE(t, &g, &zero_handlers);
	KT_EXPECT_EQ(t, g.stage, 1);
}

static enum guest_action deleted_sync(struct kt *t, struct guest *g,
				      u64 stage, u64 arg)
{
	struct priv *p = g->data;

	if (!KT_EXPECT_EQ(t, stage, 1))
		return GUEST_ABORT;
	return KT_EXPECT_OK(t, test_slot(g, p->gmem, 0)) ? GUEST_RESUME :
							   GUEST_ABORT;
}

static enum guest_action deleted_exit(struct kt *t, struct guest *g, int ret,
				      struct vmm_exit *e)
{
	struct priv *p = g->data;

	if (ret != -EFAULT || e->reason != GMV_EXIT_MEMORY_FAULT)
		return GUEST_UNHANDLED;
	if (!KT_EXPECT_EQ(t, p->calls++, 0))
		return GUEST_ABORT;
	KT_EXPECT_EQ(t, e->memory_fault.flags, GMV_MEMORY_EXIT_FLAG_PRIVATE);
	KT_EXPECT_EQ(t, e->memory_fault.gpa, GUEST_TEST_GPA);
	KT_EXPECT_EQ(t, e->memory_fault.size, PAGE_SIZE);
	return KT_EXPECT_OK(t, test_slot(g, p->gmem, p->len)) ? GUEST_RESUME :
								GUEST_ABORT;
}

static const struct guest_handlers deleted_handlers = {
	.sync = deleted_sync,
	.exit = deleted_exit,
};

/* A private access to a deleted slot is a private memory fault
 * (private_mem_kvm_exits_test); the private data outlives the slot. */
GUEST_CASE(guest_private_deleted_slot)
{
	struct priv p;
	struct guest g;

	if (!priv_setup(t, v, &g, &p, PRIV_LEN))
		return;
	KT_ASSERT_OK(t, set_private(&g, GUEST_TEST_GPA, PRIV_LEN, true));
	KT_ASSERT_OK(t, guest_start(&g, "private_deleted", GUEST_TEST_GPA,
				    PRIV_LEN));
	KT_EXPECT_DONE(t, &g, &deleted_handlers);
	KT_EXPECT_EQ(t, p.calls, 1);
}

static const struct kt_case private_cases[] = {
	KT_CASE_IF(guest_private_explicit_conversion, need_hypercall),
	KT_CASE_IF(guest_private_implicit_conversion, need_private),
	KT_CASE_IF(guest_private_zero_and_hidden, need_private),
	KT_CASE_IF(guest_private_deleted_slot, need_private),
};

const struct kt_suite guest_private_suite =
	KT_SUITE("private", private_cases);
