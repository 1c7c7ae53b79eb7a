// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/snp.c - an SEV-SNP guest: snp(test, gpa) runs one
 * SNP_T_* test (programs.h) over its test region, doing what an SNP
 * guest's own code does (validate before use, rescind before sharing,
 * page-state changes through the GHCB).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"
#include "guest-tests/lib/snp.h"

/* PVALIDATE and RMPADJUST need CPL0. */
GUEST_PROGRAM_AT_CPL0();

#define PG(gpa, n) ((gpa) + (n)*PAGE_SIZE)
#define PRIV(gpa) snp_private(gpa)

/* RMP return codes (AMD APM vol. 3, PVALIDATE and RMPADJUST). */
#define RMP_SUCCESS 0
#define RMP_FAIL_INPUT 1
#define RMP_FAIL_PERMISSION 2
#define RMP_FAIL_SIZEMISMATCH 6

/* Patterns over the private view, keyed by GPA as the host's are. */
#define fill_priv(gpa, len, seed) guest_fill_via(PRIV(gpa), gpa, len, seed)
#define EXPECT_PRIV(gpa, len, seed) \
	GUEST_EXPECT_PATTERN_VIA(PRIV(gpa), gpa, len, seed)

static void validate(u64 gpa, bool size_2m)
{
	bool cf;

	GUEST_ASSERT_EQ(pvalidate(PRIV(gpa), size_2m, true, &cf), 0);
	GUEST_ASSERT_EQ(cf, 0);
}

static void rescind(u64 gpa, bool size_2m)
{
	bool cf;

	GUEST_ASSERT_EQ(pvalidate(PRIV(gpa), size_2m, false, &cf), 0);
	GUEST_ASSERT_EQ(cf, 0);
}

static void read_word(u64 va)
{
	(void)*(volatile u64 *)va;
}

/* A private read of gpa raises #VC PAGE_NOT_VALIDATED. */
static void expect_vc(u64 gpa)
{
	struct guest_exception e;

	GUEST_ASSERT(guest_catch(read_word, PRIV(gpa), &e));
	GUEST_ASSERT_EQ(e.vector, 29);
	GUEST_ASSERT_EQ(e.error_code, SNP_VC_NOT_VALIDATED);
}

static void test_info(void)
{
	u64 resp;

	GUEST_SYNC(1, snp_init());
	GUEST_ASSERT_EQ(snp_rdmsr(SNP_MSR_SEV_STATUS) & 7, 7);
	/* CPUID Fn8000_001F through the MSR protocol: EAX (register 0) has
	 * SEV-SNP (bit 4), EBX (register 1) the C-bit in 5:0. */
	resp = snp_msr_protocol(0x8000001fULL << 32 | 0ULL << 30 |
				SNP_MSR_CPUID_REQ);
	GUEST_ASSERT_EQ(resp & SNP_MSR_INFO_MASK, SNP_MSR_CPUID_RESP);
	GUEST_ASSERT(resp >> 32 & BIT(4));
	resp = snp_msr_protocol(0x8000001fULL << 32 | 1ULL << 30 |
				SNP_MSR_CPUID_REQ);
	GUEST_ASSERT_EQ(resp & SNP_MSR_INFO_MASK, SNP_MSR_CPUID_RESP);
	GUEST_SYNC(2, resp >> 32);
	/* Hypervisor features: SEV-SNP (bit 0). */
	resp = snp_msr_protocol(SNP_MSR_HV_FT_REQ);
	GUEST_ASSERT_EQ(resp & SNP_MSR_INFO_MASK, SNP_MSR_HV_FT_RESP);
	GUEST_ASSERT(resp >> 12 & 1);
}

static void test_launched(u64 gpa)
{
	bool cf;

	snp_init();
	EXPECT_PRIV(gpa, 8 * PAGE_SIZE, SNP_SEED);
	/* The launch validated it: PVALIDATE finds nothing to change. */
	GUEST_ASSERT_EQ(pvalidate(PRIV(PG(gpa, 3)), false, true, &cf), 0);
	GUEST_ASSERT_EQ(cf, 1);
}

static void test_vc(u64 gpa)
{
	bool cf;

	snp_init();
	expect_vc(gpa);
	validate(gpa, false);
	/* A fresh private page reads zeros. */
	EXPECT_PRIV(gpa, PAGE_SIZE, PATTERN_ZERO);
	fill_priv(gpa, PAGE_SIZE, SNP_SEED);
	EXPECT_PRIV(gpa, PAGE_SIZE, SNP_SEED);
	rescind(gpa, false);
	expect_vc(gpa);
	GUEST_ASSERT_EQ(pvalidate(PRIV(gpa), false, false, &cf), 0);
	GUEST_ASSERT_EQ(cf, 1);
	/* Validated again, the data is still there. */
	validate(gpa, false);
	EXPECT_PRIV(gpa, PAGE_SIZE, SNP_SEED);
}

static void test_pvalidate(u64 gpa)
{
	bool cf;

	snp_init();
	/* A 2 MiB operand must be 2 MiB aligned. */
	GUEST_ASSERT_EQ(pvalidate(PRIV(PG(gpa, 1)), true, true, &cf),
			RMP_FAIL_INPUT);
	/* A 4 KiB operand inside the 2 MiB entry gmem's first use made:
	 * the hypervisor PSMASHes it (SIZEM) and the 4 KiB one succeeds. */
	validate(PG(gpa, 5), false);
	/* Now the entries are 4 KiB: a 2 MiB operand is a size mismatch,
	 * nothing changed. */
	GUEST_ASSERT_EQ(pvalidate(PRIV(gpa), true, true, &cf),
			RMP_FAIL_SIZEMISMATCH);
	expect_vc(PG(gpa, 4));
	fill_priv(PG(gpa, 5), PAGE_SIZE, SNP_SEED);
	EXPECT_PRIV(PG(gpa, 5), PAGE_SIZE, SNP_SEED);
	GUEST_SYNC(1, 0);
	/* The other 2 MiB block, whole: one 2 MiB entry. */
	validate(PG(gpa, 512), true);
	fill_priv(PG(gpa, 512), SZ_2M, SNP_SEED);
	GUEST_SYNC(2, 0);
	/* A 4 KiB operand in it: PSMASH, and the 4 KiB entries keep the
	 * 2 MiB entry's Validated, so nothing changes (CF=1). */
	GUEST_ASSERT_EQ(pvalidate(PRIV(PG(gpa, 700)), false, true, &cf), 0);
	GUEST_ASSERT_EQ(cf, 1);
	EXPECT_PRIV(PG(gpa, 700), PAGE_SIZE, SNP_SEED);
	GUEST_SYNC(3, 0);
}

static void test_psc_msr(u64 gpa)
{
	u64 page = PG(gpa, 1);

	snp_init();
	validate(page, false);
	fill_priv(page, PAGE_SIZE, SNP_SEED);
	/* Private -> shared: rescind first, then the page-state change. */
	rescind(page, false);
	GUEST_ASSERT_EQ(snp_psc_msr(page, false), 0);
	guest_fill(page, PAGE_SIZE, SNP_SHARED_SEED);
	GUEST_SYNC(1, page);
	/* Shared -> private: the page-state change, then validate. */
	GUEST_ASSERT_EQ(snp_psc_msr(page, true), 0);
	validate(page, false);
	fill_priv(page, PAGE_SIZE, SNP_SEED);
	EXPECT_PRIV(page, PAGE_SIZE, SNP_SEED);
}

static void test_psc_msr_bad(u64 gpa)
{
	u64 resp;

	snp_init();
	/* Operation 3 is not one the MSR protocol knows. */
	resp = snp_msr_protocol(PG(gpa, 2) | 3ULL << 52 | SNP_MSR_PSC_REQ);
	GUEST_ASSERT_EQ(resp & SNP_MSR_INFO_MASK, SNP_MSR_PSC_RESP);
	GUEST_ASSERT(resp >> 32);
	GUEST_SYNC(1, 0);
	/* The host fails this one. */
	GUEST_ASSERT(snp_psc_msr(PG(gpa, 2), false) != 0);
}

static void test_ghcb_psc(u64 gpa)
{
	static struct snp_psc_desc d;
	u64 info1, calls;

	snp_init();
	GUEST_ASSERT_EQ(snp_ghcb_register(), (u64)snp_ghcb());
	/* One entry (never validated: nothing to rescind). */
	d = (struct snp_psc_desc){.end_entry = 0};
	d.entries[0] = snp_psc_entry(gpa, SNP_PSC_SHARED, false);
	GUEST_ASSERT_EQ(snp_psc_ghcb(&d, &info1, &calls), 0);
	GUEST_ASSERT_EQ(calls, 1);
	GUEST_ASSERT_EQ(d.cur_entry, 1);
	guest_fill(gpa, PAGE_SIZE, SNP_SHARED_SEED);
	GUEST_SYNC(1, gpa);
	/* Three entries that do not touch: three runs, three calls. */
	d = (struct snp_psc_desc){.end_entry = 2};
	for (int i = 0; i < 3; i++)
		d.entries[i] = snp_psc_entry(PG(gpa, 2 + 2 * i), SNP_PSC_SHARED,
					     false);
	GUEST_ASSERT_EQ(snp_psc_ghcb(&d, &info1, &calls), 0);
	GUEST_ASSERT_EQ(calls, 3);
	GUEST_ASSERT_EQ(d.cur_entry, 3);
	GUEST_SYNC(2, 0);
	/* Three contiguous entries: one run. */
	d = (struct snp_psc_desc){.end_entry = 2};
	for (int i = 0; i < 3; i++)
		d.entries[i] =
			snp_psc_entry(PG(gpa, 10 + i), SNP_PSC_SHARED, false);
	GUEST_ASSERT_EQ(snp_psc_ghcb(&d, &info1, &calls), 0);
	GUEST_ASSERT_EQ(calls, 1);
	GUEST_SYNC(3, 0);
	/* A 2 MiB entry, to shared and back to private. */
	GUEST_ASSERT_EQ(psc(PG(gpa, 512), 512, false), 0);
	guest_fill(PG(gpa, 512), SZ_2M, SNP_SHARED_SEED);
	GUEST_ASSERT_EQ(psc(PG(gpa, 512), 512, true), 0);
	validate(PG(gpa, 512), true);
	fill_priv(PG(gpa, 512), SZ_2M, SNP_SEED);
	GUEST_SYNC(4, 0);
}

static void test_ghcb_fail(u64 gpa)
{
	static struct snp_psc_desc d;
	u64 info1, calls;

	snp_init();
	GUEST_ASSERT_EQ(snp_ghcb_register(), (u64)snp_ghcb());
	d = (struct snp_psc_desc){.end_entry = 2};
	for (int i = 0; i < 3; i++)
		d.entries[i] =
			snp_psc_entry(PG(gpa, 2 * i), SNP_PSC_SHARED, false);
	GUEST_ASSERT_EQ(snp_psc_ghcb(&d, &info1, &calls), SNP_PSC_ERR_GENERIC);
	GUEST_ASSERT_EQ(info1, 0);
	GUEST_ASSERT_EQ(calls, 2);
	/* The first run is done, the failed one is where the guest stands. */
	GUEST_ASSERT_EQ(d.cur_entry, 1);
}

static void test_ghcb_bad(u64 gpa)
{
	static struct snp_psc_desc d;
	u64 info1, info2, calls;

	snp_init();
	GUEST_ASSERT_EQ(snp_ghcb_register(), (u64)snp_ghcb());
	/* end_entry beyond the 253 entries the buffer holds. */
	d = (struct snp_psc_desc){.cur_entry = 0, .end_entry = 253};
	GUEST_ASSERT_EQ(snp_psc_ghcb(&d, &info1, &calls),
			SNP_PSC_ERR_INVALID_HDR);
	/* An entry with more pages done than it has. */
	d = (struct snp_psc_desc){.end_entry = 0};
	d.entries[0] = snp_psc_entry(gpa, SNP_PSC_SHARED, false) | 2;
	GUEST_ASSERT_EQ(snp_psc_ghcb(&d, &info1, &calls),
			SNP_PSC_ERR_INVALID_ENTRY);
	/* A 2 MiB entry whose GFN is not 2 MiB aligned. */
	d = (struct snp_psc_desc){.end_entry = 0};
	d.entries[0] = snp_psc_entry(PG(gpa, 1), SNP_PSC_SHARED, true);
	GUEST_ASSERT_EQ(snp_psc_ghcb(&d, &info1, &calls),
			SNP_PSC_ERR_INVALID_ENTRY);
	/* An operation no one defined is done without a change (KVM's
	 * snp_begin_psc), like the PSMASH and UNSMASH hints. */
	d = (struct snp_psc_desc){.end_entry = 0};
	d.entries[0] = snp_psc_entry(gpa, 7, false);
	GUEST_ASSERT_EQ(snp_psc_ghcb(&d, &info1, &calls), 0);
	GUEST_ASSERT_EQ(d.cur_entry, 1);
	GUEST_ASSERT_EQ(d.entries[0] & 0xfff, 1);
	/* An event the hypervisor does not know. */
	info1 = snp_ghcb_call(0x8000abcdULL, 0, 0, 0, &info2);
	GUEST_ASSERT_EQ(info1, GHCB_HV_RESP_MALFORMED);
	GUEST_ASSERT_EQ(info2, GHCB_ERR_INVALID_EVENT);
}

static void test_took_back(u64 gpa)
{
	u64 page = PG(gpa, 2);

	snp_init();
	validate(page, false);
	fill_priv(page, PAGE_SIZE, SNP_SEED);
	GUEST_SYNC(1, page);
	/* The host punched it: a new page, assigned, never validated. */
	expect_vc(page);
	validate(page, false);
	EXPECT_PRIV(page, PAGE_SIZE, PATTERN_ZERO);
}

static void test_split_merge(u64 gpa)
{
	u64 page = PG(gpa, 3);

	snp_init();
	validate(gpa, true);
	fill_priv(gpa, SZ_2M, SNP_SEED);
	GUEST_SYNC(1, gpa);
	/* One page of the 2 MiB page to shared: rescind it (SIZEM: the
	 * hypervisor PSMASHes), then the page-state change. */
	rescind(page, false);
	GUEST_ASSERT_EQ(psc(page, 1, false), 0);
	guest_fill(page, PAGE_SIZE, SNP_SHARED_SEED);
	EXPECT_PRIV(PG(gpa, 2), PAGE_SIZE, SNP_SEED);
	EXPECT_PRIV(PG(gpa, 4), PAGE_SIZE, SNP_SEED);
	GUEST_SYNC(2, page);
	/* Back to one 2 MiB page: every page rescinded and shared, then
	 * the whole block private and validated at 2 MiB. */
	GUEST_ASSERT_EQ(psc(page, 1, true), 0);
	validate(page, false);
	for (u64 i = 0; i < 512; i++)
		rescind(PG(gpa, i), false);
	GUEST_ASSERT_EQ(psc(gpa, 512, false), 0);
	GUEST_ASSERT_EQ(psc(gpa, 512, true), 0);
	validate(gpa, true);
	fill_priv(gpa, SZ_2M, SNP_SEED);
	GUEST_SYNC(3, gpa);
}

static void adjust_vmpl1(u64 va)
{
	rmpadjust(va, false, 1 | 3 << 8);
}

static void test_rmpadjust(u64 gpa)
{
	/* attributes: target VMPL 7:0, permissions 15:8, VMSA 16 */
	const u64 vmpl1_rw = 1 | 3 << 8;
	struct guest_exception e;

	snp_init();
	/* A page not validated: RMPADJUST takes #VC 0x404 (APM vol. 3). */
	GUEST_ASSERT(guest_catch(adjust_vmpl1, PRIV(gpa), &e));
	GUEST_ASSERT_EQ(e.vector, 29);
	GUEST_ASSERT_EQ(e.error_code, SNP_VC_NOT_VALIDATED);
	validate(gpa, false);
	GUEST_ASSERT_EQ(rmpadjust(PRIV(gpa), false, vmpl1_rw), RMP_SUCCESS);
	GUEST_ASSERT_EQ(rmpadjust(PRIV(gpa), false, vmpl1_rw | BIT(16)),
			RMP_SUCCESS);
	/* VMPL0 cannot change its own (or a more privileged) level. */
	GUEST_ASSERT_EQ(rmpadjust(PRIV(gpa), false, 0 | 3 << 8),
			RMP_FAIL_PERMISSION);
	/* There are four VMPLs. */
	GUEST_ASSERT_EQ(rmpadjust(PRIV(gpa), false, 4 | 3 << 8),
			RMP_FAIL_INPUT);
	/* The entry is 4 KiB (the 4 KiB validation smashed the 2 MiB). */
	GUEST_ASSERT_EQ(rmpadjust(PRIV(gpa), true, vmpl1_rw),
			RMP_FAIL_SIZEMISMATCH);
}

static void write_sev_status(u64 v)
{
	snp_wrmsr(SNP_MSR_SEV_STATUS, v);
}

static void test_status_ro(void)
{
	struct guest_exception e;

	snp_init();
	GUEST_ASSERT(guest_catch(write_sev_status, 0, &e));
	GUEST_ASSERT_EQ(e.vector, 13);
	GUEST_ASSERT_EQ(e.error_code, 0);
	GUEST_ASSERT_EQ(snp_rdmsr(SNP_MSR_SEV_STATUS) & 7, 7);
}

static void test_psc_spin(u64 gpa)
{
	static struct snp_psc_desc d;
	u64 info1, calls;

	snp_init();
	GUEST_ASSERT_EQ(snp_ghcb_register(), (u64)snp_ghcb());
	GUEST_SYNC(1, 0);
	/* PSMASH hints only: the hypervisor answers without an exit. */
	for (;;) {
		d = (struct snp_psc_desc){.end_entry = 0};
		d.entries[0] = snp_psc_entry(gpa, SNP_PSC_PSMASH, true);
		GUEST_ASSERT_EQ(snp_psc_ghcb(&d, &info1, &calls), 0);
	}
}

static void test_terminate(void)
{
	snp_init();
	/* Reason set 1, code 2: Linux's "PVALIDATE failed". */
	snp_msr_protocol(1ULL << 12 | 2ULL << 16 | SNP_MSR_TERM_REQ);
	GUEST_ASSERT(0); /* the hypervisor does not come back */
}

static void test_implicit(u64 gpa)
{
	u64 page = PG(gpa, 6);

	snp_init();
	/* Page 6 is shared: a C=1 access is a memory fault the host takes
	 * as an implicit conversion; then it is private, not validated. */
	expect_vc(page);
	validate(page, false);
	fill_priv(page, PAGE_SIZE, SNP_SEED);
	/* A C=0 access to private page 7: the host makes it shared. */
	guest_fill(PG(gpa, 7), PAGE_SIZE, SNP_SHARED_SEED);
	GUEST_SYNC(1, PG(gpa, 7));
}

static void test_ghcb_unreg(void)
{
	/* No memslot at 1 TiB: the hypervisor cannot use a GHCB there. */
	const u64 nowhere = 1ULL << 40;
	u64 info2;

	snp_init();
	GUEST_SYNC(1, snp_msr_protocol(nowhere | SNP_MSR_REG_GPA_REQ));
	snp_ghcb_call(GHCB_NAE_PSC, 0, 0, 0, &info2);
	GUEST_ASSERT(0); /* not answered */
}

void guest_main(u64 test, u64 gpa)
{
	switch (test) {
	case SNP_T_INFO:
		return test_info();
	case SNP_T_LAUNCHED:
		return test_launched(gpa);
	case SNP_T_VC:
		return test_vc(gpa);
	case SNP_T_PVALIDATE:
		return test_pvalidate(gpa);
	case SNP_T_PSC_MSR:
		return test_psc_msr(gpa);
	case SNP_T_PSC_MSR_BAD:
		return test_psc_msr_bad(gpa);
	case SNP_T_GHCB_PSC:
		return test_ghcb_psc(gpa);
	case SNP_T_GHCB_FAIL:
		return test_ghcb_fail(gpa);
	case SNP_T_GHCB_BAD:
		return test_ghcb_bad(gpa);
	case SNP_T_TOOK_BACK:
		return test_took_back(gpa);
	case SNP_T_SPLIT_MERGE:
		return test_split_merge(gpa);
	case SNP_T_RMPADJUST:
		return test_rmpadjust(gpa);
	case SNP_T_STATUS_RO:
		return test_status_ro();
	case SNP_T_PSC_SPIN:
		return test_psc_spin(gpa);
	case SNP_T_TERMINATE:
		return test_terminate();
	case SNP_T_IMPLICIT:
		return test_implicit(gpa);
	case SNP_T_GHCB_UNREG:
		return test_ghcb_unreg();
	default:
		GUEST_ASSERT_EQ(test, 0);
	}
}
