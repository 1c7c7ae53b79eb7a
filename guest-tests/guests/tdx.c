// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/tdx.c - a TD guest: tdx(test, gpa) runs one TDX_T_*
 * test (programs.h) over its test region, doing what a TD's own code
 * does (accept private memory before use, MapGPA to share it, MapGPA and
 * accept to take it back, read the #VE information).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"
#include "guest-tests/lib/tdx.h"

/* TDCALL's #VE handling and the alias need CPL0. */
GUEST_PROGRAM_AT_CPL0();

#define PG(gpa, n) ((gpa) + (n)*PAGE_SIZE)
#define PRIV(gpa) tdx_private(gpa)
/* A GPA operand with the shared bit; memory itself is reached through
 * the identity map, whose leaves carry the bit already. */
#define SHARED(gpa) ((gpa) | tdx_shared_bit())
#define L4K 0
#define L2M 1
#define SIZE_2M (2ULL << 20)

#define fill_priv(gpa, len, seed) guest_fill_via(PRIV(gpa), gpa, len, seed)
#define EXPECT_PRIV(gpa, len, seed) \
	GUEST_EXPECT_PATTERN_VIA(PRIV(gpa), gpa, len, seed)

static void accept_ok(u64 gpa, unsigned int level)
{
	GUEST_ASSERT_EQ(tdx_accept(gpa, level), 0);
}

static void read_word(u64 va)
{
	(void)*(volatile u64 *)va;
}

static void write_word(u64 va)
{
	*(volatile u64 *)va = 1;
}

/* A private access to gpa raises #VE with VE_INFO for it; VEINFO.GET
 * reads it once. */
static void expect_ve(u64 gpa, bool write)
{
	struct guest_exception e;
	struct tdx_ve_info ve;

	GUEST_ASSERT(
		guest_catch(write ? write_word : read_word, PRIV(gpa), &e));
	GUEST_ASSERT_EQ(e.vector, TDX_VE_VECTOR);
	GUEST_ASSERT_EQ(tdx_veinfo_get(&ve), 0);
	GUEST_ASSERT_EQ(ve.exit_reason, TDX_EXIT_REASON_EPT_VIOLATION);
	GUEST_ASSERT_EQ(ve.exit_qualification,
			write ? TDX_EPT_QUAL_WRITE : TDX_EPT_QUAL_READ);
	GUEST_ASSERT_EQ(ve.gpa, gpa);
	GUEST_ASSERT_EQ(tdx_veinfo_get(&ve), TDX_NO_VALID_VE_INFO);
}

/* A page made private by the guest: MapGPA, then ACCEPT (GHCI). */
static void to_private(u64 gpa, u64 size)
{
	GUEST_ASSERT_EQ(tdx_map_gpa(gpa, size, false, NULL), 0);
	for (u64 at = gpa; at < gpa + size; at += PAGE_SIZE)
		accept_ok(at, L4K);
}

static void test_info(void)
{
	struct tdx_vp_info info;

	GUEST_SYNC(1, tdx_init());
	GUEST_ASSERT_EQ(tdx_vp_info(&info), 0);
	GUEST_ASSERT_EQ(info.attributes, 0);
	GUEST_ASSERT_EQ(info.vcpu_index, 0);
	GUEST_ASSERT_EQ(info.num_vcpus, info.max_vcpus);
	GUEST_SYNC(2, info.num_vcpus);
}

static void test_accept_use(u64 gpa)
{
	tdx_init();
	accept_ok(gpa, L4K);
	EXPECT_PRIV(gpa, PAGE_SIZE, 0);
	fill_priv(gpa, PAGE_SIZE, TDX_SEED);
	EXPECT_PRIV(gpa, PAGE_SIZE, TDX_SEED);
}

static void test_ve(u64 gpa)
{
	tdx_init();
	expect_ve(PG(gpa, 1) + 0x18, false);
	expect_ve(PG(gpa, 2) + 0x40, true);
	/* Still pending: the #VE comes again, until accepted. */
	expect_ve(PG(gpa, 1), true);
	accept_ok(PG(gpa, 1), L4K);
	accept_ok(PG(gpa, 2), L4K);
	fill_priv(PG(gpa, 1), 2 * PAGE_SIZE, TDX_SEED);
	EXPECT_PRIV(PG(gpa, 1), 2 * PAGE_SIZE, TDX_SEED);
}

static void test_ve_unread(u64 gpa)
{
	struct guest_exception e;
	struct tdx_ve_info ve;

	tdx_init();
	GUEST_ASSERT(guest_catch(read_word, PRIV(PG(gpa, 1)), &e));
	GUEST_ASSERT_EQ(e.vector, TDX_VE_VECTOR);
	/* VE_INFO still holds the first #VE: the second is #DF(0). */
	GUEST_ASSERT(guest_catch(read_word, PRIV(PG(gpa, 2)), &e));
	GUEST_ASSERT_EQ(e.vector, 8);
	GUEST_ASSERT_EQ(e.error_code, 0);
	GUEST_ASSERT_EQ(tdx_veinfo_get(&ve), 0);
	GUEST_ASSERT_EQ(ve.gpa, PG(gpa, 1));
}

static void test_double_accept(u64 gpa)
{
	tdx_init();
	accept_ok(PG(gpa, 3), L4K);
	fill_priv(PG(gpa, 3), PAGE_SIZE, TDX_SEED);
	/* A warning (bit 63 clear), the level in the operand field; the
	 * page keeps its data. */
	GUEST_ASSERT_EQ(tdx_accept(PG(gpa, 3), L4K),
			TDX_PAGE_ALREADY_ACCEPTED | L4K);
	EXPECT_PRIV(PG(gpa, 3), PAGE_SIZE, TDX_SEED);
	accept_ok(PG(gpa, 512), L2M);
	GUEST_ASSERT_EQ(tdx_accept(PG(gpa, 512), L2M),
			TDX_PAGE_ALREADY_ACCEPTED | L2M);
}

static void test_accept_2m(u64 gpa)
{
	tdx_init();
	accept_ok(PG(gpa, 512), L2M);
	EXPECT_PRIV(PG(gpa, 512), SIZE_2M, 0);
	fill_priv(PG(gpa, 512), SIZE_2M, TDX_SEED);
	GUEST_SYNC(1, PG(gpa, 512));
	/* A 4 KiB accept inside the 2 MiB leaf: already, at level 1. */
	GUEST_ASSERT_EQ(tdx_accept(PG(gpa, 700), L4K),
			TDX_PAGE_ALREADY_ACCEPTED | L2M);
	EXPECT_PRIV(PG(gpa, 512), SIZE_2M, TDX_SEED);
}

static void test_accept_4k_in_2m(u64 gpa)
{
	tdx_init();
	/* The host AUGs the 2 MiB block whole; a 4 KiB accept splits it. */
	accept_ok(PG(gpa, 513), L4K);
	fill_priv(PG(gpa, 513), PAGE_SIZE, TDX_SEED);
	GUEST_SYNC(1, PG(gpa, 513));
	/* Its neighbours are still pending. */
	expect_ve(PG(gpa, 514), false);
	EXPECT_PRIV(PG(gpa, 513), PAGE_SIZE, TDX_SEED);
}

static void test_accept_2m_over_4k(u64 gpa)
{
	tdx_init();
	accept_ok(PG(gpa, 0), L4K);
	fill_priv(PG(gpa, 0), PAGE_SIZE, TDX_SEED);
	/* The 2 MiB range is 4 KiB leaves now: the guest retries at 4 KiB
	 * (Linux's try_accept_one()). */
	GUEST_ASSERT_EQ(tdx_accept(PG(gpa, 0), L2M),
			TDX_PAGE_SIZE_MISMATCH | L2M);
	for (u64 n = 1; n < 512; n++)
		accept_ok(PG(gpa, n), L4K);
	EXPECT_PRIV(PG(gpa, 0), PAGE_SIZE, TDX_SEED);
	EXPECT_PRIV(PG(gpa, 1), SIZE_2M - PAGE_SIZE, 0);
}

static void test_accept_bad(u64 gpa)
{
	const u64 bad = TDX_OPERAND_INVALID | 1; /* RCX */

	tdx_init();
	GUEST_ASSERT_EQ(tdx_accept(gpa, 2), bad);
	GUEST_ASSERT_EQ(tdx_accept(PG(gpa, 1), L2M), bad);
	GUEST_ASSERT_EQ(tdx_accept(SHARED(PG(gpa, 1)), L4K), bad);
	GUEST_ASSERT_EQ(tdx_accept(1ULL << 48, L4K), bad);
	GUEST_ASSERT_EQ(tdx_accept(gpa, 5), bad);
	GUEST_ASSERT_EQ(tdx_accept(gpa | 0x10, L4K), bad); /* reserved */
}

static void test_map_shared(u64 gpa)
{
	u64 page = PG(gpa, 4);

	tdx_init();
	accept_ok(page, L4K);
	fill_priv(page, PAGE_SIZE, TDX_SEED);
	GUEST_ASSERT_EQ(tdx_map_gpa(page, PAGE_SIZE, true, NULL), 0);
	guest_fill(page, PAGE_SIZE, TDX_SHARED_SEED);
	GUEST_SYNC(1, page);
	to_private(page, PAGE_SIZE);
	/* The private copy went with the conversion: a new page. */
	EXPECT_PRIV(page, PAGE_SIZE, 0);
}

static void test_map_chunks(u64 gpa)
{
	const u64 size = 3ULL << 20;

	tdx_init();
	GUEST_ASSERT_EQ(tdx_map_gpa(gpa, size, true, NULL), 0);
	guest_fill(gpa, size, TDX_SHARED_SEED);
	GUEST_SYNC(1, gpa);
	GUEST_ASSERT_EQ(tdx_map_gpa(gpa, size, false, NULL), 0);
	accept_ok(PG(gpa, 0), L4K);
}

static void test_map_retry(u64 gpa)
{
	const u64 size = TDX_PAGES * PAGE_SIZE;
	u64 retries, r11;

	tdx_init();
	/* The VMM asks for a retry of the second chunk: RETRY with R11 at
	 * that chunk; the guest goes on from there. */
	GUEST_ASSERT_EQ(tdx_vmcall_map_gpa(SHARED(gpa), size, &r11),
			TDVMCALL_STATUS_RETRY);
	GUEST_ASSERT_EQ(r11, SHARED(PG(gpa, 512)));
	GUEST_ASSERT_EQ(tdx_map_gpa(PG(gpa, 512), SIZE_2M, true, &retries), 0);
	GUEST_ASSERT_EQ(retries, 0);
	guest_fill(gpa, size, TDX_SHARED_SEED);
	GUEST_SYNC(1, gpa);
	/* And once more through tdx_map_gpa(), which retries itself. */
	GUEST_ASSERT_EQ(tdx_map_gpa(gpa, size, false, &retries), 0);
	GUEST_SYNC(2, retries);
}

static void test_map_errors(u64 gpa)
{
	struct tdx_regs r;
	u64 r11;

	tdx_init();
	GUEST_ASSERT_EQ(tdx_vmcall_map_gpa(gpa + 8, PAGE_SIZE, &r11),
			TDVMCALL_STATUS_ALIGN_ERROR);
	GUEST_ASSERT_EQ(r11, gpa + 8);
	GUEST_ASSERT_EQ(tdx_vmcall_map_gpa(gpa, 100, &r11),
			TDVMCALL_STATUS_ALIGN_ERROR);
	GUEST_ASSERT_EQ(tdx_vmcall_map_gpa(gpa, 0, &r11),
			TDVMCALL_STATUS_INVALID_OPERAND);
	GUEST_ASSERT_EQ(r11, gpa);
	/* Across the shared bit, beyond the GPA width. */
	GUEST_ASSERT_EQ(tdx_vmcall_map_gpa(tdx_shared_bit() - PAGE_SIZE,
					   2 * PAGE_SIZE, &r11),
			TDVMCALL_STATUS_INVALID_OPERAND);
	GUEST_ASSERT_EQ(tdx_vmcall_map_gpa(1ULL << 48, PAGE_SIZE, &r11),
			TDVMCALL_STATUS_INVALID_OPERAND);
	/* A sub-function the VMM does not offer (GetQuote). */
	r = (struct tdx_regs){
		.rax = TDG_VP_VMCALL, .rcx = BIT(10) | BIT(11), .r11 = 0x10002};
	tdx_tdcall(&r);
	GUEST_ASSERT_EQ(r.rax, 0);
	GUEST_ASSERT_EQ(r.r10, TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED);
	/* RAX and RSP may not be exposed: the TDCALL itself fails. */
	r = (struct tdx_regs){.rax = TDG_VP_VMCALL,
			      .rcx = BIT(0) | BIT(10) | BIT(11),
			      .r11 = TDVMCALL_MAP_GPA};
	tdx_tdcall(&r);
	GUEST_ASSERT_EQ(r.rax, TDX_OPERAND_INVALID | 1);
	r = (struct tdx_regs){.rax = TDG_VP_VMCALL, .rcx = BIT(4)};
	tdx_tdcall(&r);
	GUEST_ASSERT_EQ(r.rax, TDX_OPERAND_INVALID | 1);
	/* Nor RBP, in a TD made with NO_RBP_MOD as KVM makes them. */
	r = (struct tdx_regs){.rax = TDG_VP_VMCALL, .rcx = BIT(5) | BIT(11)};
	tdx_tdcall(&r);
	GUEST_ASSERT_EQ(r.rax, TDX_OPERAND_INVALID | 1);
	/* R10 not exposed: the VMM sees 0 there and its status does not
	 * come back; the guest's R10 is its own. */
	r = (struct tdx_regs){.rax = TDG_VP_VMCALL,
			      .rcx = BIT(11),
			      .r10 = 0x1234,
			      .r11 = 0x10002};
	tdx_tdcall(&r);
	GUEST_ASSERT_EQ(r.rax, 0);
	GUEST_ASSERT_EQ(r.r10, 0x1234);
	/* None of those reached the VMM. Now it fails the request. */
	GUEST_SYNC(1, 0);
	GUEST_ASSERT_EQ(tdx_vmcall_map_gpa(SHARED(PG(gpa, 1)), PAGE_SIZE, &r11),
			TDVMCALL_STATUS_INVALID_OPERAND);
	GUEST_ASSERT_EQ(r11, SHARED(PG(gpa, 1)));
}

static void test_host_convert(u64 gpa)
{
	u64 page = PG(gpa, 5);

	tdx_init();
	accept_ok(page, L4K);
	fill_priv(page, PAGE_SIZE, TDX_SEED);
	EXPECT_PRIV(page, PAGE_SIZE, TDX_SEED);
	GUEST_SYNC(1, page);
	/* The host made it shared behind the guest's back and wrote it. */
	GUEST_EXPECT_PATTERN(page, PAGE_SIZE, TDX_HOST_SEED);
}

static void test_punch(u64 gpa)
{
	u64 page = PG(gpa, 6);

	tdx_init();
	accept_ok(page, L4K);
	fill_priv(page, PAGE_SIZE, TDX_SEED);
	GUEST_SYNC(1, page);
	/* Removed from the TD: a new page, pending again. */
	expect_ve(page, false);
	accept_ok(page, L4K);
	EXPECT_PRIV(page, PAGE_SIZE, 0);
}

static void test_split_merge(u64 gpa)
{
	u64 block = PG(gpa, 512), page = PG(gpa, 515);

	tdx_init();
	accept_ok(block, L2M);
	fill_priv(block, SIZE_2M, TDX_SEED);
	GUEST_SYNC(1, block);
	GUEST_ASSERT_EQ(tdx_map_gpa(page, PAGE_SIZE, true, NULL), 0);
	guest_fill(page, PAGE_SIZE, TDX_SHARED_SEED);
	/* Only that page left the TD. */
	EXPECT_PRIV(block, page - block, TDX_SEED);
	EXPECT_PRIV(page + PAGE_SIZE, block + SIZE_2M - page - PAGE_SIZE,
		    TDX_SEED);
	GUEST_SYNC(2, page);
	to_private(page, PAGE_SIZE);
	fill_priv(page, PAGE_SIZE, TDX_SEED);
	EXPECT_PRIV(block, SIZE_2M, TDX_SEED);
	GUEST_SYNC(3, block);
}

static void test_launched(u64 gpa)
{
	tdx_init();
	/* Added by the host before the TD ran: mapped, no ACCEPT needed. */
	EXPECT_PRIV(gpa, 8 * PAGE_SIZE, TDX_SEED);
	GUEST_ASSERT_EQ(tdx_accept(PG(gpa, 2), L4K),
			TDX_PAGE_ALREADY_ACCEPTED | L4K);
	/* Page 8 was not: pending once the TD touches it. */
	expect_ve(PG(gpa, 8), false);
}

static void test_implicit(u64 gpa)
{
	tdx_init();
	/* Page 6 is shared: a private access is a memory fault the host
	 * takes as an implicit conversion; then it is pending. */
	expect_ve(PG(gpa, 6), false);
	accept_ok(PG(gpa, 6), L4K);
	/* Page 7 is shared: so is an ACCEPT of it, which then works. */
	accept_ok(PG(gpa, 7), L4K);
	EXPECT_PRIV(PG(gpa, 6), 2 * PAGE_SIZE, 0);
	/* A shared access to private page 8: the host makes it shared. */
	guest_fill(PG(gpa, 8), PAGE_SIZE, TDX_SHARED_SEED);
	GUEST_SYNC(1, PG(gpa, 8));
}

static void test_tdcall_bad(void)
{
	const u64 bad = TDX_OPERAND_INVALID | 0; /* RAX */
	struct tdx_regs r;

	tdx_init();
	r = (struct tdx_regs){.rax = 0x7f};
	tdx_tdcall(&r);
	GUEST_ASSERT_EQ(r.rax, bad);
	/* TDG.VP.INFO has no version 1; VEINFO.GET has, but not 2. */
	r = (struct tdx_regs){.rax = TDG_VP_INFO | 1 << 16};
	tdx_tdcall(&r);
	GUEST_ASSERT_EQ(r.rax, bad);
	r = (struct tdx_regs){.rax = TDG_VP_VEINFO_GET | 2 << 16};
	tdx_tdcall(&r);
	GUEST_ASSERT_EQ(r.rax, bad);
	r = (struct tdx_regs){.rax = TDG_VP_VEINFO_GET | 1 << 16};
	tdx_tdcall(&r);
	GUEST_ASSERT_EQ(r.rax, TDX_NO_VALID_VE_INFO);
	r = (struct tdx_regs){.rax = TDG_MEM_PAGE_ACCEPT | 1ULL << 24,
			      .rcx = 0};
	tdx_tdcall(&r);
	GUEST_ASSERT_EQ(r.rax, bad);
}

/*
 * Two vCPUs, one after the other over page 9: vCPU 0 accepts it and
 * fills it; vCPU 1 (a vCPU index of 1) reads it, then SYNC(1): the host
 * makes it shared and writes TDX_HOST_SEED (both vCPUs kicked out before
 * the page leaves the TD), which vCPU 1 reads shared; SYNC(2).
 */
static void test_vcpus(u64 gpa, unsigned int part)
{
	u64 page = PG(gpa, 9);
	struct tdx_vp_info info;

	tdx_init();
	GUEST_ASSERT_EQ(tdx_vp_info(&info), 0);
	GUEST_ASSERT_EQ(info.vcpu_index, part);
	if (!part) {
		accept_ok(page, L4K);
		fill_priv(page, PAGE_SIZE, TDX_SEED);
		return;
	}
	EXPECT_PRIV(page, PAGE_SIZE, TDX_SEED);
	GUEST_SYNC(1, page);
	GUEST_EXPECT_PATTERN(page, PAGE_SIZE, TDX_HOST_SEED);
	GUEST_SYNC(2, page);
}

void guest_main(u64 test, u64 arg)
{
	u64 gpa = arg & ~(PAGE_SIZE - 1);

	switch (test) {
	case TDX_T_INFO:
		return test_info();
	case TDX_T_ACCEPT_USE:
		return test_accept_use(gpa);
	case TDX_T_VE:
		return test_ve(gpa);
	case TDX_T_VE_UNREAD:
		return test_ve_unread(gpa);
	case TDX_T_DOUBLE_ACCEPT:
		return test_double_accept(gpa);
	case TDX_T_ACCEPT_2M:
		return test_accept_2m(gpa);
	case TDX_T_ACCEPT_4K_IN_2M:
		return test_accept_4k_in_2m(gpa);
	case TDX_T_ACCEPT_2M_OVER_4K:
		return test_accept_2m_over_4k(gpa);
	case TDX_T_ACCEPT_BAD:
		return test_accept_bad(gpa);
	case TDX_T_MAP_SHARED:
		return test_map_shared(gpa);
	case TDX_T_MAP_CHUNKS:
		return test_map_chunks(gpa);
	case TDX_T_MAP_RETRY:
		return test_map_retry(gpa);
	case TDX_T_MAP_ERRORS:
		return test_map_errors(gpa);
	case TDX_T_HOST_CONVERT:
		return test_host_convert(gpa);
	case TDX_T_PUNCH:
		return test_punch(gpa);
	case TDX_T_SPLIT_MERGE:
		return test_split_merge(gpa);
	case TDX_T_LAUNCHED:
		return test_launched(gpa);
	case TDX_T_IMPLICIT:
		return test_implicit(gpa);
	case TDX_T_TDCALL_BAD:
		return test_tdcall_bad();
	case TDX_T_VCPUS:
		return test_vcpus(gpa, arg & 1);
	default:
		GUEST_ASSERT(0);
	}
}
