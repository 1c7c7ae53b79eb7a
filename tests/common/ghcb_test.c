// SPDX-License-Identifier: MIT
/*
 * tests/common/ghcb_test.c - the GHCB protocol's hypervisor side
 * (hv/snp/ghcb.h) over a fake environment: 64 KiB of "guest memory" at
 * GPA 0 (anything above reads and writes -EFAULT), a CPUID that records
 * what it was asked. Each case drives ghcb_vmgexit()/ghcb_complete() as
 * the vCPU exit path will and reads back the MSR, the GHCB fields and the
 * PSC descriptor.
 */
#include "hv/kvm_abi.h"
#include "hv/snp/ghcb.h"
#include "lib/errno.h"
#include "lib/mem.h"
#include "tests/suites.h"

#define MEM_SIZE 0x10000ULL
#define GHCB_GPA 0x2000ULL
#define DESC_IN_GHCB (GHCB_GPA + GHCB_OFF_SHARED_BUF)
#define DESC_OUTSIDE 0x5000ULL
#define NO_MEMORY 0x100000ULL
#define ENC GMV_MAP_GPA_RANGE_ENCRYPTED
#define DEC GMV_MAP_GPA_RANGE_DECRYPTED
#define SZ4K GMV_MAP_GPA_RANGE_PAGE_SZ_4K
#define SZ2M GMV_MAP_GPA_RANGE_PAGE_SZ_2M
#define P GHCB_PSC_OP_PRIVATE
#define S GHCB_PSC_OP_SHARED

struct fake {
	u8 mem[MEM_SIZE];
	u32 cpuid_fn, cpuid_index;
	/* Another vCPU at work: the 2nd read of tamper_gpa first stores
	 * tamper_val there. */
	u64 tamper_gpa, tamper_val;
	unsigned int tamper_reads;
	struct ghcb_vcpu g;
	struct ghcb_env env;
	struct ghcb_action act;
};

static int fake_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	struct fake *f = ctx;

	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa)
		return -EFAULT;
	if (f->tamper_gpa && gpa == f->tamper_gpa && ++f->tamper_reads == 2)
		memcpy(f->mem + gpa, &f->tamper_val, sizeof(f->tamper_val));
	memcpy(buf, f->mem + gpa, len);
	return 0;
}

static int fake_write(void *ctx, u64 gpa, const void *buf, size_t len)
{
	struct fake *f = ctx;

	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa)
		return -EFAULT;
	memcpy(f->mem + gpa, buf, len);
	return 0;
}

/* EAX..EDX = fn + 0x10, fn + 0x20, fn + 0x30, fn + 0x40. */
static void fake_cpuid(void *ctx, u32 fn, u32 index, u32 out[4])
{
	struct fake *f = ctx;
	unsigned int i;

	f->cpuid_fn = fn;
	f->cpuid_index = index;
	for (i = 0; i < 4; i++)
		out[i] = fn + 0x10 * (i + 1);
}

static struct fake *fake_new(void)
{
	static struct fake f; /* 64 KiB: not on the stack */

	memset(&f, 0, sizeof(f));
	f.cpuid_index = ~0U;
	f.env = (struct ghcb_env){.ctx = &f,
				  .read = fake_read,
				  .write = fake_write,
				  .cpuid = fake_cpuid,
				  .c_bit = 47,
				  .hv_features = GHCB_HV_FT_SNP |
						 GHCB_HV_FT_SNP_AP_CREATION};
	ghcb_vcpu_init(&f.g);
	return &f;
}

static u64 get64(struct fake *f, u64 gpa)
{
	u64 v;

	memcpy(&v, f->mem + gpa, sizeof(v));
	return v;
}

static void put64(struct fake *f, u64 gpa, u64 v)
{
	memcpy(f->mem + gpa, &v, sizeof(v));
}

static u16 get16(struct fake *f, u64 gpa)
{
	u16 v;

	memcpy(&v, f->mem + gpa, sizeof(v));
	return v;
}

static bool contains(const char *s, const char *part)
{
	size_t n = strlen(part);

	for (; *s; s++)
		if (!strncmp(s, part, n))
			return true;
	return false;
}

/* The guest writes msr and runs VMGEXIT. */
static int msr_exit(struct fake *f, u64 msr)
{
	f->g.msr = msr;
	return ghcb_vmgexit(&f->g, &f->env, &f->act);
}

/* Register the GHCB at GHCB_GPA through the MSR protocol. */
static void register_ghcb(struct kt *t, struct fake *f)
{
	KT_EXPECT_OK(t, msr_exit(f, GHCB_GPA | GHCB_MSR_REG_GPA_REQ));
	KT_EXPECT_EQ(t, f->g.gpa, GHCB_GPA);
}

static void set_valid(struct fake *f, unsigned int off)
{
	unsigned int bit = GHCB_VALID_BIT(off);

	f->mem[GHCB_GPA + GHCB_OFF_VALID_BITMAP + bit / 8] |= 1U << (bit % 8);
}

/* A GHCB request as Linux's sev_es_ghcb_hv_call makes it: exit code,
 * EXITINFO1/2 and (for a PSC) SW_SCRATCH, each marked valid. */
static void ghcb_request(struct fake *f, u64 code, u64 scratch)
{
	put64(f, GHCB_GPA + GHCB_OFF_SW_EXITCODE, code);
	put64(f, GHCB_GPA + GHCB_OFF_SW_EXITINFO1, 0);
	put64(f, GHCB_GPA + GHCB_OFF_SW_EXITINFO2, 0);
	put64(f, GHCB_GPA + GHCB_OFF_SW_SCRATCH, scratch);
	set_valid(f, GHCB_OFF_SW_EXITCODE);
	set_valid(f, GHCB_OFF_SW_EXITINFO1);
	set_valid(f, GHCB_OFF_SW_EXITINFO2);
	set_valid(f, GHCB_OFF_SW_SCRATCH);
}

static u64 info1(struct fake *f)
{
	return get64(f, GHCB_GPA + GHCB_OFF_SW_EXITINFO1);
}

static u64 info2(struct fake *f)
{
	return get64(f, GHCB_GPA + GHCB_OFF_SW_EXITINFO2);
}

static u64 entry(u64 gfn, u64 op, bool huge, u64 cur_page)
{
	return cur_page | gfn << 12 | op << 52 | (u64)huge << 56;
}

static void put_desc(struct fake *f, u64 at, u16 cur, u16 end, const u64 *e,
		     unsigned int n)
{
	unsigned int i;

	memcpy(f->mem + at, &cur, 2);
	memcpy(f->mem + at + 2, &end, 2);
	memset(f->mem + at + 4, 0, 4);
	for (i = 0; i < n; i++)
		put64(f, at + 8 + 8ULL * i, e[i]);
}

static u16 cur_entry(struct fake *f, u64 at)
{
	return get16(f, at);
}

static u64 cur_page(struct fake *f, u64 at, unsigned int i)
{
	return GHCB_PSC_CUR_PAGE(get64(f, at + 8 + 8ULL * i));
}

/* A PSC VMGEXIT on the descriptor at desc. */
static int psc_exit(struct fake *f, u64 desc)
{
	ghcb_request(f, SVM_VMGEXIT_PSC, desc);
	f->g.msr = GHCB_GPA;
	return ghcb_vmgexit(&f->g, &f->env, &f->act);
}

static void expect_map(struct kt *t, struct fake *f, u64 gpa, u64 npages,
		       u64 attrs)
{
	KT_EXPECT_EQ(t, f->act.kind, GHCB_MAP_GPA);
	KT_EXPECT_EQ(t, f->act.gpa, gpa);
	KT_EXPECT_EQ(t, f->act.npages, npages);
	KT_EXPECT_EQ(t, f->act.attrs, attrs);
}

/* The guest is resumed with SW_EXITINFO1 i1 and SW_EXITINFO2 i2. */
static void expect_answer(struct kt *t, struct fake *f, u64 i1, u64 i2)
{
	KT_EXPECT_EQ(t, f->act.kind, GHCB_RESUME);
	/* nothing left over from an earlier action */
	KT_EXPECT_EQ(t, f->act.gpa | f->act.npages | f->act.attrs, 0);
	KT_EXPECT_EQ(t, f->act.why[0], 0);
	KT_EXPECT_EQ(t, info1(f), i1);
	KT_EXPECT_EQ(t, info2(f), i2);
	KT_EXPECT_EQ(t, f->g.pending, GHCB_PENDING_NONE);
}

/* ------------------------------------------------------------ MSR protocol */

static void msr_sev_info(struct kt *t)
{
	struct fake *f = fake_new();
	u64 want = 2ULL << 48 | 1ULL << 32 | 47ULL << 24 | 0x001;

	KT_EXPECT_OK(t, msr_exit(f, GHCB_MSR_SEV_INFO_REQ));
	KT_EXPECT_EQ(t, f->act.kind, GHCB_RESUME);
	KT_EXPECT_EQ(t, f->g.msr, want);
	KT_EXPECT_EQ(t, ghcb_sev_info(&f->env), want);
	f->env.c_bit = 51;
	KT_EXPECT_EQ(t, ghcb_sev_info(&f->env) >> 24 & 0xff, 51);
}

static void msr_cpuid_each_register(struct kt *t)
{
	struct fake *f = fake_new();
	u64 fn = 0x8000001f, reg;

	for (reg = 0; reg < 4; reg++) {
		/* bits 29:12 set by the guest stay as KVM leaves them */
		KT_EXPECT_OK(t, msr_exit(f, fn << 32 | reg << 30 | 0x5000 |
						    GHCB_MSR_CPUID_REQ));
		KT_EXPECT_EQ(t, f->act.kind, GHCB_RESUME);
		KT_EXPECT_EQ(t, f->cpuid_fn, (u32)fn);
		KT_EXPECT_EQ(t, f->cpuid_index, 0);
		KT_EXPECT_EQ(t, f->g.msr >> 32, fn + 0x10 * (reg + 1));
		KT_EXPECT_EQ(t, f->g.msr & 0xffffffffULL,
			     reg << 30 | 0x5000 | GHCB_MSR_CPUID_RESP);
	}
}

static void msr_preferred_gpa_none(struct kt *t)
{
	struct fake *f = fake_new();

	KT_EXPECT_OK(t, msr_exit(f, GHCB_MSR_PREF_GPA_REQ));
	KT_EXPECT_EQ(t, f->g.msr, 0xfffffffffffff000ULL | 0x011);
	KT_EXPECT_EQ(t, f->act.kind, GHCB_RESUME);
}

static void msr_register_ok_and_refused(struct kt *t)
{
	struct fake *f = fake_new();

	KT_EXPECT_EQ(t, f->g.gpa, GHCB_GPA_NONE);
	KT_EXPECT_OK(t, msr_exit(f, 0x3000 | GHCB_MSR_REG_GPA_REQ));
	KT_EXPECT_EQ(t, f->g.msr, 0x3000 | GHCB_MSR_REG_GPA_RESP);
	KT_EXPECT_EQ(t, f->g.gpa, 0x3000);
	KT_EXPECT_EQ(t, f->act.kind, GHCB_RESUME);
	/* the last page of memory is still readable */
	KT_EXPECT_OK(t, msr_exit(f, (MEM_SIZE - 0x1000) | 0x012));
	KT_EXPECT_EQ(t, f->g.msr, (MEM_SIZE - 0x1000) | 0x013);
	KT_EXPECT_EQ(t, f->g.gpa, MEM_SIZE - 0x1000);
	/* a GPA the caller cannot read: all ones, the old one kept */
	KT_EXPECT_OK(t, msr_exit(f, MEM_SIZE | GHCB_MSR_REG_GPA_REQ));
	KT_EXPECT_EQ(t, f->g.msr, 0xfffffffffffff000ULL | 0x013);
	KT_EXPECT_EQ(t, f->g.gpa, MEM_SIZE - 0x1000);
	KT_EXPECT_EQ(t, f->act.kind, GHCB_RESUME);
}

static void msr_hv_features(struct kt *t)
{
	struct fake *f = fake_new();

	KT_EXPECT_OK(t, msr_exit(f, GHCB_MSR_HV_FT_REQ));
	KT_EXPECT_EQ(t, f->g.msr, 3ULL << 12 | 0x081);
	f->env.hv_features = GHCB_HV_FT_SNP | GHCB_HV_FT_SNP_MULTI_VMPL;
	KT_EXPECT_OK(t, msr_exit(f, GHCB_MSR_HV_FT_REQ));
	KT_EXPECT_EQ(t, f->g.msr, 0x21ULL << 12 | 0x081);
}

static void msr_terminate(struct kt *t)
{
	struct fake *f = fake_new();
	u64 req = 1ULL << 12 | 2ULL << 16 | GHCB_MSR_TERM_REQ;

	KT_EXPECT_OK(t, msr_exit(f, req));
	KT_EXPECT_EQ(t, f->act.kind, GHCB_TERMINATE);
	KT_EXPECT_EQ(t, f->act.term, req);
	KT_EXPECT_EQ(t, f->act.term >> 12 & 0xf, 1);
	KT_EXPECT_EQ(t, f->act.term >> 16 & 0xff, 2);
}

static void msr_unknown_request_kept(struct kt *t)
{
	static const u64 reqs[] = {0x006, 0x016, 0x003, 0xfff};
	struct fake *f = fake_new();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		KT_EXPECT_OK(t, msr_exit(f, 0xabc000 | reqs[i]));
		KT_EXPECT_EQ(t, f->act.kind, GHCB_RESUME);
		KT_EXPECT_EQ(t, f->g.msr, 0xabc000 | reqs[i]);
		KT_EXPECT_EQ(t, f->g.pending, GHCB_PENDING_NONE);
	}
}

static void msr_psc_private_shared_and_completion(struct kt *t)
{
	struct fake *f = fake_new();

	KT_EXPECT_OK(t, msr_exit(f, 1ULL << 52 | 0x12345ULL << 12 | 0x014));
	expect_map(t, f, 0x12345000, 1, ENC | SZ4K);
	/* a second VMGEXIT before the VMM answered is the caller's misuse */
	KT_EXPECT_ERRNO(t, ghcb_vmgexit(&f->g, &f->env, &f->act), EBUSY);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	KT_EXPECT_EQ(t, f->act.kind, GHCB_RESUME);
	KT_EXPECT_EQ(t, f->g.msr, GHCB_MSR_PSC_RESP);

	/* bits 63:56 are not the GFN's */
	KT_EXPECT_OK(t, msr_exit(f, 0xffULL << 56 | 2ULL << 52 |
					    0xfffffffffULL << 12 | 0x014));
	expect_map(t, f, 0xfffffffff000ULL, 1, DEC | SZ4K);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, GMV_KVM_EINVAL, &f->act));
	KT_EXPECT_EQ(t, f->act.kind, GHCB_RESUME);
	KT_EXPECT_EQ(t, f->g.msr, BIT(63) | 0x015);
	KT_EXPECT_EQ(t, f->g.msr >> 32, 0x80000000ULL);
	KT_EXPECT_ERRNO(t, ghcb_complete(&f->g, &f->env, 0, &f->act), EINVAL);
}

static void msr_psc_bad_operation(struct kt *t)
{
	static const u64 ops[] = {0, 3, 4, 15};
	struct fake *f = fake_new();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		KT_EXPECT_OK(t, msr_exit(f, ops[i] << 52 | 0x10ULL << 12 |
						    GHCB_MSR_PSC_REQ));
		KT_EXPECT_EQ(t, f->act.kind, GHCB_RESUME);
		KT_EXPECT_EQ(t, f->g.msr, GHCB_MSR_PSC_RESP_ERROR);
		KT_EXPECT_EQ(t, f->g.pending, GHCB_PENDING_NONE);
	}
}

static void complete_without_pending(struct kt *t)
{
	struct fake *f = fake_new();

	/* init leaves nothing of what was there */
	memset(&f->g, 0xff, sizeof(f->g));
	ghcb_vcpu_init(&f->g);
	KT_EXPECT_EQ(t, f->g.msr, 0);
	KT_EXPECT_EQ(t, f->g.gpa, GHCB_GPA_NONE);
	KT_EXPECT_EQ(t, f->g.pending, GHCB_PENDING_NONE);
	KT_EXPECT_EQ(t, f->g.psc_desc | f->g.psc_first | f->g.psc_count, 0);

	KT_EXPECT_ERRNO(t, ghcb_complete(&f->g, &f->env, 0, &f->act), EINVAL);
	KT_EXPECT_EQ(t, f->g.msr, 0);
	register_ghcb(t, f);
	KT_EXPECT_ERRNO(t, ghcb_complete(&f->g, &f->env, 0, &f->act), EINVAL);
}

/* ---------------------------------------------------------- GHCB protocol */

static void ghcb_wrong_or_unregistered_gpa_fails(struct kt *t)
{
	struct fake *f = fake_new();

	ghcb_request(f, SVM_VMGEXIT_HV_FEATURES, 0);
	KT_EXPECT_OK(t, msr_exit(f, GHCB_GPA));
	KT_EXPECT_EQ(t, f->act.kind, GHCB_FAIL);
	KT_EXPECT(t, contains(f->act.why, "no GHCB registered"));
	KT_EXPECT(t, contains(f->act.why, "0x2000"));
	register_ghcb(t, f);
	KT_EXPECT_OK(t, msr_exit(f, 0x4000));
	KT_EXPECT_EQ(t, f->act.kind, GHCB_FAIL);
	KT_EXPECT(t, contains(f->act.why, "0x4000"));
	KT_EXPECT(t, contains(f->act.why, "registered 0x2000"));
	/* nothing was answered in either page */
	KT_EXPECT_EQ(t, info2(f), 0);
	KT_EXPECT_EQ(t, get64(f, 0x4000 + GHCB_OFF_SW_EXITINFO2), 0);
}

static void ghcb_usage_nonzero(struct kt *t)
{
	struct fake *f = fake_new();
	u32 usage = 1;

	register_ghcb(t, f);
	ghcb_request(f, SVM_VMGEXIT_HV_FEATURES, 0);
	memcpy(f->mem + GHCB_GPA + GHCB_OFF_USAGE, &usage, 4);
	KT_EXPECT_OK(t, msr_exit(f, GHCB_GPA));
	expect_answer(t, f, 2, GHCB_ERR_INVALID_USAGE);
	/* the valid bitmap is cleared before the checks, as KVM does */
	KT_EXPECT(t,
		  mem_is_zero(f->mem + GHCB_GPA + GHCB_OFF_VALID_BITMAP, 16));
}

static void ghcb_missing_valid_bits(struct kt *t)
{
	static const unsigned int offs[] = {GHCB_OFF_SW_EXITCODE,
					    GHCB_OFF_SW_EXITINFO1,
					    GHCB_OFF_SW_EXITINFO2};
	struct fake *f = fake_new();
	unsigned int i, bit;

	register_ghcb(t, f);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		ghcb_request(f, SVM_VMGEXIT_HV_FEATURES, 0);
		bit = GHCB_VALID_BIT(offs[i]);
		f->mem[GHCB_GPA + GHCB_OFF_VALID_BITMAP + bit / 8] &=
			~(1U << (bit % 8));
		KT_EXPECT_OK(t, msr_exit(f, GHCB_GPA));
		expect_answer(t, f, 2, GHCB_ERR_MISSING_INPUT);
	}
	/* a PSC needs SW_SCRATCH too */
	put_desc(f, DESC_IN_GHCB, 0, 0, (u64[]){entry(0x10, P, 0, 0)}, 1);
	ghcb_request(f, SVM_VMGEXIT_PSC, DESC_IN_GHCB);
	bit = GHCB_VALID_BIT(GHCB_OFF_SW_SCRATCH);
	f->mem[GHCB_GPA + GHCB_OFF_VALID_BITMAP + bit / 8] &=
		~(1U << (bit % 8));
	KT_EXPECT_OK(t, msr_exit(f, GHCB_GPA));
	expect_answer(t, f, 2, GHCB_ERR_MISSING_INPUT);
	/* the bitmap is cleared once read (KVM sev_es_sync_from_ghcb) */
	KT_EXPECT(t,
		  mem_is_zero(f->mem + GHCB_GPA + GHCB_OFF_VALID_BITMAP, 16));
	/* the all-valid request then works: HV features in EXITINFO2 */
	ghcb_request(f, SVM_VMGEXIT_HV_FEATURES, 0);
	KT_EXPECT_OK(t, msr_exit(f, GHCB_GPA));
	expect_answer(t, f, 0, GHCB_HV_FT_SNP | GHCB_HV_FT_SNP_AP_CREATION);
}

static void ghcb_unknown_exit_code(struct kt *t)
{
	static const u64 codes[] = {0x72 /* CPUID */, 0x7b /* IOIO */,
				    0x80000011, 0x8000fffe, 0xffffffffULL};
	struct fake *f = fake_new();
	unsigned int i;

	register_ghcb(t, f);
	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		ghcb_request(f, codes[i], 0);
		KT_EXPECT_OK(t, msr_exit(f, GHCB_GPA));
		expect_answer(t, f, 2, GHCB_ERR_INVALID_EVENT);
	}
}

/* ------------------------------------------------------ page state change */

static void psc_single_entry(struct kt *t)
{
	struct fake *f = fake_new();

	register_ghcb(t, f);
	put_desc(f, DESC_IN_GHCB, 0, 0, (u64[]){entry(0x20, P, 0, 0)}, 1);
	put64(f, GHCB_GPA + GHCB_OFF_SW_EXITINFO2, 0x77); /* stale */
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x20000, 1, ENC | SZ4K);
	KT_EXPECT_EQ(t, f->g.pending, GHCB_PENDING_PSC);
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 0);
	KT_EXPECT_ERRNO(t, ghcb_vmgexit(&f->g, &f->env, &f->act), EBUSY);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	expect_answer(t, f, 0, 0);
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 1);
	KT_EXPECT_EQ(t, cur_page(f, DESC_IN_GHCB, 0), 1);
	/* the rest of the entry is left alone */
	KT_EXPECT_EQ(t, get64(f, DESC_IN_GHCB + 8), entry(0x20, P, 0, 1));
}

static void psc_contiguous_entries_merged(struct kt *t)
{
	struct fake *f = fake_new();
	unsigned int i;

	register_ghcb(t, f);
	put_desc(f, DESC_OUTSIDE, 0, 2,
		 (u64[]){entry(0x10, S, 0, 0), entry(0x11, S, 0, 0),
			 entry(0x12, S, 0, 0)},
		 3);
	KT_EXPECT_OK(t, psc_exit(f, DESC_OUTSIDE));
	expect_map(t, f, 0x10000, 3, DEC | SZ4K);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	expect_answer(t, f, 0, 0);
	KT_EXPECT_EQ(t, cur_entry(f, DESC_OUTSIDE), 3);
	for (i = 0; i < 3; i++)
		KT_EXPECT_EQ(t, cur_page(f, DESC_OUTSIDE, i), 1);
}

/* Runs split at a GFN gap and at an operation change: one exit per
 * VMGEXIT, cur_entry after each run, the guest re-issuing while
 * cur_entry <= end_entry. */
static void psc_runs_split_over_vmgexits(struct kt *t)
{
	static const struct {
		u64 gpa, npages, attrs;
		u16 cur_after;
	} runs[] = {
		{0x10000, 2, DEC | SZ4K, 2},
		{0x13000, 1, DEC | SZ4K, 3},
		{0x14000, 1, ENC | SZ4K, 4},
		{0x15000, 1, DEC | SZ4K, 5},
	};
	struct fake *f = fake_new();
	unsigned int i, n = 0;

	register_ghcb(t, f);
	put_desc(f, DESC_IN_GHCB, 0, 4,
		 (u64[]){entry(0x10, S, 0, 0), entry(0x11, S, 0, 0),
			 entry(0x13, S, 0, 0), entry(0x14, P, 0, 0),
			 entry(0x15, S, 0, 0)},
		 5);
	while (cur_entry(f, DESC_IN_GHCB) <= 4 && n < ARRAY_SIZE(runs)) {
		KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
		expect_map(t, f, runs[n].gpa, runs[n].npages, runs[n].attrs);
		KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
		expect_answer(t, f, 0, 0);
		KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), runs[n].cur_after);
		n++;
	}
	KT_EXPECT_EQ(t, n, ARRAY_SIZE(runs));
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 5);
	for (i = 0; i < 5; i++)
		KT_EXPECT_EQ(t, cur_page(f, DESC_IN_GHCB, i), 1);
}

static void psc_2m_entries(struct kt *t)
{
	struct fake *f = fake_new();

	register_ghcb(t, f);
	/* one 2 MiB entry: 512 pages, PAGE_SZ_2M */
	put_desc(f, DESC_IN_GHCB, 0, 0, (u64[]){entry(0x200, P, 1, 0)}, 1);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x200000, 512, ENC | SZ2M);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	expect_answer(t, f, 0, 0);
	KT_EXPECT_EQ(t, cur_page(f, DESC_IN_GHCB, 0), 512);
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 1);

	/* two contiguous 2 MiB entries: one run of 1024 pages; a 4 KiB
	 * entry right after them is another run */
	put_desc(f, DESC_IN_GHCB, 0, 2,
		 (u64[]){entry(0x200, S, 1, 0), entry(0x400, S, 1, 0),
			 entry(0x600, S, 0, 0)},
		 3);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x200000, 1024, DEC | SZ2M);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 2);
	KT_EXPECT_EQ(t, cur_page(f, DESC_IN_GHCB, 1), 512);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x600000, 1, DEC | SZ4K);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 3);
}

static void psc_2m_entry_partly_done(struct kt *t)
{
	struct fake *f = fake_new();

	register_ghcb(t, f);
	/* 0x100 of 512 pages done: the 256 left, flagged 2M as KVM's
	 * first entry says, and the contiguous 2 MiB entry after it is
	 * not merged */
	put_desc(f, DESC_IN_GHCB, 0, 1,
		 (u64[]){entry(0x400, P, 1, 0x100), entry(0x600, P, 1, 0)}, 2);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x500000, 256, ENC | SZ2M);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	expect_answer(t, f, 0, 0);
	KT_EXPECT_EQ(t, cur_page(f, DESC_IN_GHCB, 0), 512);
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 1);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x600000, 512, ENC | SZ2M);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 2);
}

/* An entry with pages done does not join a run, even when contiguous:
 * its pages done are not converted again. */
static void psc_partly_done_entry_not_merged(struct kt *t)
{
	struct fake *f = fake_new();

	register_ghcb(t, f);
	put_desc(f, DESC_IN_GHCB, 0, 2,
		 (u64[]){entry(0x200, S, 1, 0), entry(0x400, S, 1, 0x100),
			 entry(0x11, S, 0, 1)},
		 3);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x200000, 512, DEC | SZ2M);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 1);
	KT_EXPECT_EQ(t, cur_page(f, DESC_IN_GHCB, 1), 0x100);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x500000, 256, DEC | SZ2M);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 2);
	/* the 4 KiB entry was done already: no exit */
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_answer(t, f, 0, 0);
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 3);
}

static void psc_hints_and_done_entries_skipped(struct kt *t)
{
	struct fake *f = fake_new();

	register_ghcb(t, f);
	put_desc(f, DESC_IN_GHCB, 0, 3,
		 (u64[]){entry(0x200, GHCB_PSC_OP_PSMASH, 1, 0),
			 entry(0x400, GHCB_PSC_OP_UNSMASH, 1, 0),
			 entry(0x31, S, 0, 1) /* done already */,
			 entry(0x30, P, 0, 0)},
		 4);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x30000, 1, ENC | SZ4K);
	/* the skipped entries are marked done at once */
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 3);
	KT_EXPECT_EQ(t, cur_page(f, DESC_IN_GHCB, 0), 512);
	KT_EXPECT_EQ(t, cur_page(f, DESC_IN_GHCB, 1), 512);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 4);

	/* nothing but hints and done entries: no exit at all */
	put_desc(f, DESC_IN_GHCB, 0, 2,
		 (u64[]){entry(0x40, GHCB_PSC_OP_PSMASH, 0, 0),
			 entry(0x200, P, 1, 512), entry(0x41, S, 0, 1)},
		 3);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_answer(t, f, 0, 0);
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 3);
	KT_EXPECT_EQ(t, cur_page(f, DESC_IN_GHCB, 0), 1);
}

static void psc_bad_header(struct kt *t)
{
	struct fake *f = fake_new();
	u64 e[GHCB_PSC_MAX_ENTRIES];
	unsigned int i;

	register_ghcb(t, f);
	/* end_entry 252 is the last allowed: 253 entries fill the shared
	 * buffer exactly (all hints: no exit) */
	for (i = 0; i < GHCB_PSC_MAX_ENTRIES; i++)
		e[i] = entry(0x40 + i, GHCB_PSC_OP_PSMASH, 0, 0);
	put_desc(f, DESC_IN_GHCB, 0, 252, e, GHCB_PSC_MAX_ENTRIES);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_answer(t, f, 0, 0);
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 253);

	/* end_entry 253 (outside the GHCB, so only the header is wrong) */
	put_desc(f, DESC_OUTSIDE, 0, 253, e, GHCB_PSC_MAX_ENTRIES);
	put64(f, DESC_OUTSIDE + 8 + 8 * 253, entry(0x10, P, 0, 0));
	KT_EXPECT_OK(t, psc_exit(f, DESC_OUTSIDE));
	expect_answer(t, f, 0, GHCB_PSC_ERROR_INVALID_HDR);
	KT_EXPECT_EQ(t, cur_entry(f, DESC_OUTSIDE), 0);

	/* cur_entry past end_entry: nothing to do, answered 0 (KVM) */
	put_desc(f, DESC_IN_GHCB, 3, 2,
		 (u64[]){entry(0x10, P, 0, 0), entry(0x11, P, 0, 0),
			 entry(0x12, P, 0, 0)},
		 3);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_answer(t, f, 0, 0);
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 3);
}

static void psc_bad_entry(struct kt *t)
{
	/* What KVM's snp_begin_psc refuses: cur_page past the entry's
	 * pages, a 2 MiB entry's GFN not 2 MiB aligned. */
	static const u64 bad[] = {
		0x11ULL << 12 | (u64)P << 52 | 2, /* cur_page 2 of 1 */
		0x201ULL << 12 | (u64)P << 52 | BIT(56), /* 2M misaligned */
		0x200ULL << 12 | (u64)P << 52 | BIT(56) | 513,
	};
	struct fake *f = fake_new();
	unsigned int i;

	register_ghcb(t, f);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* first: refused, nothing converted */
		put_desc(f, DESC_IN_GHCB, 0, 0, (u64[]){bad[i]}, 1);
		KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
		expect_answer(t, f, 0, GHCB_PSC_ERROR_INVALID_ENTRY);
		KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 0);
		/* after a good entry: that run goes first (the bad entry is
		 * not one that starts a run, so KVM does not look at it
		 * yet), then the next VMGEXIT stops at the bad one */
		put_desc(f, DESC_IN_GHCB, 0, 1,
			 (u64[]){entry(0x10, P, 0, 0), bad[i]}, 2);
		KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
		expect_map(t, f, 0x10000, 1, ENC | SZ4K);
		KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
		KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 1);
		KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
		expect_answer(t, f, 0, GHCB_PSC_ERROR_INVALID_ENTRY);
		KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 1);
		/* after a hint: the hint is done, cur_entry at the bad one */
		put_desc(f, DESC_IN_GHCB, 0, 1,
			 (u64[]){entry(0x10, GHCB_PSC_OP_PSMASH, 0, 0), bad[i]},
			 2);
		KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
		expect_answer(t, f, 0, GHCB_PSC_ERROR_INVALID_ENTRY);
		KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 1);
		KT_EXPECT_EQ(t, cur_page(f, DESC_IN_GHCB, 0), 1);
	}
}

/* What KVM does not refuse: reserved bits 63:57 are not read, and an
 * operation other than private or shared (0, 5..15, as the PSMASH and
 * UNSMASH hints) is marked done without an exit. */
static void psc_lenient_entries(struct kt *t)
{
	static const u64 lenient_ops[] = {0, 5, 15};
	struct fake *f = fake_new();
	unsigned int i;

	register_ghcb(t, f);
	put_desc(f, DESC_IN_GHCB, 0, 0,
		 (u64[]){BIT(57) | BIT(63) | entry(0x11, P, 0, 0)}, 1);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x11000, 1, ENC | SZ4K);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 1);
	for (i = 0; i < ARRAY_SIZE(lenient_ops); i++) {
		put_desc(f, DESC_IN_GHCB, 0, 1,
			 (u64[]){0x11ULL << 12 | lenient_ops[i] << 52,
				 entry(0x20, S, 0, 0)},
			 2);
		KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
		expect_map(t, f, 0x20000, 1, DEC | SZ4K);
		KT_EXPECT_EQ(t, cur_page(f, DESC_IN_GHCB, 0), 1);
		KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
		KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 2);
	}
}

/* Each entry is read once per VMGEXIT: what is checked is what is used,
 * whatever another vCPU writes meanwhile (a cur_page past the pages
 * would otherwise make a run of 2^64-1 pages). */
static void psc_entry_changed_while_read(struct kt *t)
{
	struct fake *f = fake_new();

	register_ghcb(t, f);
	put_desc(f, DESC_IN_GHCB, 0, 0, (u64[]){entry(0x10, P, 0, 0)}, 1);
	f->tamper_gpa = DESC_IN_GHCB + 8;
	f->tamper_val = entry(0x10, P, 0, 2);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	KT_EXPECT_EQ(t, f->tamper_reads, 1);
	expect_map(t, f, 0x10000, 1, ENC | SZ4K);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
}

static void psc_vmm_error_midway(struct kt *t)
{
	struct fake *f = fake_new();

	register_ghcb(t, f);
	put_desc(f, DESC_IN_GHCB, 0, 2,
		 (u64[]){entry(0x10, P, 0, 0), entry(0x20, P, 0, 0),
			 entry(0x30, P, 0, 0)},
		 3);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x10000, 1, ENC | SZ4K);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 1);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x20000, 1, ENC | SZ4K);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, GMV_KVM_EINVAL, &f->act));
	expect_answer(t, f, 0, GHCB_PSC_ERROR_GENERIC);
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 1);
	KT_EXPECT_EQ(t, cur_page(f, DESC_IN_GHCB, 1), 0);
	/* a retry is offered the same run */
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x20000, 1, ENC | SZ4K);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 2);
}

/* ghcb_cancel(): the VMM will not answer; nothing is written and the
 * next VMGEXIT starts afresh. */
static void cancel_drops_the_pending_request(struct kt *t)
{
	struct fake *f = fake_new();
	u64 req = 1ULL << 52 | 0x10ULL << 12 | GHCB_MSR_PSC_REQ;

	KT_EXPECT_OK(t, msr_exit(f, req));
	expect_map(t, f, 0x10000, 1, ENC | SZ4K);
	ghcb_cancel(&f->g);
	KT_EXPECT_EQ(t, f->g.pending, GHCB_PENDING_NONE);
	KT_EXPECT_EQ(t, f->g.msr, req);
	KT_EXPECT_ERRNO(t, ghcb_complete(&f->g, &f->env, 0, &f->act), EINVAL);

	register_ghcb(t, f);
	put_desc(f, DESC_IN_GHCB, 0, 1,
		 (u64[]){entry(0x10, P, 0, 0), entry(0x20, P, 0, 0)}, 2);
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x10000, 1, ENC | SZ4K);
	put64(f, GHCB_GPA + GHCB_OFF_SW_EXITINFO2, 0x77);
	ghcb_cancel(&f->g);
	KT_EXPECT_EQ(t, f->g.pending, GHCB_PENDING_NONE);
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 0);
	KT_EXPECT_EQ(t, cur_page(f, DESC_IN_GHCB, 0), 0);
	KT_EXPECT_EQ(t, info2(f), 0x77);
	KT_EXPECT_ERRNO(t, ghcb_complete(&f->g, &f->env, 0, &f->act), EINVAL);
	/* the guest's next VMGEXIT is offered the same run */
	KT_EXPECT_OK(t, psc_exit(f, DESC_IN_GHCB));
	expect_map(t, f, 0x10000, 1, ENC | SZ4K);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	expect_answer(t, f, 0, 0);
	KT_EXPECT_EQ(t, cur_entry(f, DESC_IN_GHCB), 1);
}

static void psc_scratch_area(struct kt *t)
{
	struct fake *f = fake_new();

	register_ghcb(t, f);
	/* outside guest memory: KVM fails the run (-EFAULT) */
	KT_EXPECT_OK(t, psc_exit(f, NO_MEMORY));
	KT_EXPECT_EQ(t, f->act.kind, GHCB_FAIL);
	KT_EXPECT(t, contains(f->act.why, "0x100000"));
	KT_EXPECT_EQ(t, f->g.pending, GHCB_PENDING_NONE);
	/* no scratch GPA */
	KT_EXPECT_OK(t, psc_exit(f, 0));
	expect_answer(t, f, 2, GHCB_ERR_INVALID_SCRATCH_AREA);
	/* in the GHCB page but before its shared buffer */
	KT_EXPECT_OK(t, psc_exit(f, GHCB_GPA + 0x100));
	expect_answer(t, f, 2, GHCB_ERR_INVALID_SCRATCH_AREA);
	/* in the shared buffer, but its entries run past its end */
	put_desc(f, GHCB_GPA + 0xf00, 0, 40, (u64[]){entry(0x10, P, 0, 0)}, 1);
	KT_EXPECT_OK(t, psc_exit(f, GHCB_GPA + 0xf00));
	expect_answer(t, f, 2, GHCB_ERR_INVALID_SCRATCH_AREA);
	/* elsewhere in shared memory, below the GHCB too */
	put_desc(f, 0x1000, 0, 0, (u64[]){entry(0x10, P, 0, 0)}, 1);
	KT_EXPECT_OK(t, psc_exit(f, 0x1000));
	expect_map(t, f, 0x10000, 1, ENC | SZ4K);
	KT_EXPECT_OK(t, ghcb_complete(&f->g, &f->env, 0, &f->act));
	expect_answer(t, f, 0, 0);
	KT_EXPECT_EQ(t, cur_entry(f, 0x1000), 1);
	/* at the shared buffer's end: no room for the entry */
	put_desc(f, GHCB_GPA + 0xfe8, 0, 0, (u64[]){entry(0x10, P, 0, 0)}, 1);
	KT_EXPECT_OK(t, psc_exit(f, GHCB_GPA + 0xfe8));
	expect_answer(t, f, 2, GHCB_ERR_INVALID_SCRATCH_AREA);
	put_desc(f, GHCB_GPA + 0xff0, 0, 0, NULL, 0);
	KT_EXPECT_OK(t, psc_exit(f, GHCB_GPA + 0xff0));
	expect_answer(t, f, 2, GHCB_ERR_INVALID_SCRATCH_AREA);
	/* entries past the end of guest memory */
	put_desc(f, MEM_SIZE - 16, 0, 4, (u64[]){entry(0x10, P, 0, 0)}, 1);
	KT_EXPECT_OK(t, psc_exit(f, MEM_SIZE - 16));
	KT_EXPECT_EQ(t, f->act.kind, GHCB_FAIL);
	KT_EXPECT(t, contains(f->act.why, "PSC entry 1"));
}

static const struct kt_case ghcb_cases[] = {
	KT_CASE(msr_sev_info),
	KT_CASE(msr_cpuid_each_register),
	KT_CASE(msr_preferred_gpa_none),
	KT_CASE(msr_register_ok_and_refused),
	KT_CASE(msr_hv_features),
	KT_CASE(msr_terminate),
	KT_CASE(msr_unknown_request_kept),
	KT_CASE(msr_psc_private_shared_and_completion),
	KT_CASE(msr_psc_bad_operation),
	KT_CASE(complete_without_pending),
	KT_CASE(ghcb_wrong_or_unregistered_gpa_fails),
	KT_CASE(ghcb_usage_nonzero),
	KT_CASE(ghcb_missing_valid_bits),
	KT_CASE(ghcb_unknown_exit_code),
	KT_CASE(psc_single_entry),
	KT_CASE(psc_contiguous_entries_merged),
	KT_CASE(psc_runs_split_over_vmgexits),
	KT_CASE(psc_2m_entries),
	KT_CASE(psc_2m_entry_partly_done),
	KT_CASE(psc_partly_done_entry_not_merged),
	KT_CASE(psc_hints_and_done_entries_skipped),
	KT_CASE(psc_bad_header),
	KT_CASE(psc_bad_entry),
	KT_CASE(psc_lenient_entries),
	KT_CASE(psc_entry_changed_while_read),
	KT_CASE(psc_vmm_error_midway),
	KT_CASE(psc_scratch_area),
	KT_CASE(cancel_drops_the_pending_request),
};

const struct kt_suite ghcb_suite = KT_SUITE("ghcb", ghcb_cases);
