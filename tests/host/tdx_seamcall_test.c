// SPDX-License-Identifier: MIT
/*
 * tests/host/tdx_seamcall_test.c - the hardware TDX module path without
 * the hardware (hv/tdx/tdx_seamcall.h): a recorder stands in for
 * SEAMCALL (tdx_seamcall_hook), so each leaf's register image (RAX leaf
 * number, RCX..R11 as the TDX module ABI and the module's dispatcher give
 * them) and the copy of the module's answer into the status and struct
 * tdx_ext are checked, directly and through tdx_seamcall_ops; then the
 * retries (RND_NO_ENTROPY, INTERRUPTED_RESTARTABLE/RESUMABLE, none for
 * OPERAND_BUSY), the teardown's order, and the reasons tdx_probe() gives
 * on made-up CPUs, in order, without reading an MSR a CPU lacks. Host
 * only: the recorder replaces the host build's SEAMCALL primitive.
 */
#include "hv/tdx/tdx_probe.h"
#include "hv/tdx/tdx_seamcall.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/suites.h"

/* Operands, each distinct and in its field's range. */
#define TDR 0x12345000ULL
#define GPA 0x7654321000ULL
#define PAGE 0xabcde000ULL
#define SRC 0x5f000ULL
#define PARAMS 0x77000ULL
#define HKID 0x2a
#define LVL 1

#define MAX_CALLS 80

/* The recorder: what each SEAMCALL was given, and the answers to give,
 * one per call, the last repeated. */
static struct {
	unsigned int n, n_answers;
	struct tdx_seamcall_regs in[MAX_CALLS];
	struct tdx_seamcall_regs answer[MAX_CALLS];
} rec;

static u64 recorder(struct tdx_seamcall_regs *r)
{
	unsigned int i = rec.n < rec.n_answers ? rec.n : rec.n_answers - 1;

	if (rec.n < MAX_CALLS)
		rec.in[rec.n] = *r;
	rec.n++;
	*r = rec.answer[i];
	return r->rax;
}

static void arm(const struct tdx_seamcall_regs *answers, unsigned int n)
{
	memset(&rec, 0, sizeof(rec));
	memcpy(rec.answer, answers, n * sizeof(*answers));
	rec.n_answers = n;
	tdx_seamcall_hook = recorder;
}

static void disarm(void)
{
	tdx_seamcall_hook = NULL;
}

static bool contains(const char *s, const char *part)
{
	size_t n = strlen(part);

	for (; s && *s; s++)
		if (!strncmp(s, part, n))
			return true;
	return false;
}

static void expect_image(struct kt *t, const char *what,
			 const struct tdx_seamcall_regs *got,
			 const struct tdx_seamcall_regs *want)
{
	if (!KT_EXPECT_MEM_EQ(t, got, want, sizeof(*want)))
		kt_fail_note(t,
			     "%s: RAX %#llx RCX %#llx RDX %#llx R8 %#llx "
			     "R9 %#llx R10 %#llx R11 %#llx",
			     what, (unsigned long long)got->rax,
			     (unsigned long long)got->rcx,
			     (unsigned long long)got->rdx,
			     (unsigned long long)got->r8,
			     (unsigned long long)got->r9,
			     (unsigned long long)got->r10,
			     (unsigned long long)got->r11);
}

/* ---- each leaf's image: the leaf functions, then the ops table ---- */

struct leaf_row {
	const char *name;
	u64 (*call)(struct tdx_ext *x);
	/* The image; rax the leaf number (version 0) as the module's
	 * include/tdx_api_defs.h numbers it. */
	struct tdx_seamcall_regs want;
	bool outputs; /* RCX/RDX come back in struct tdx_ext */
};

static u64 c_sept_add(struct tdx_ext *x)
{
	return tdh_mem_sept_add(TDR, GPA, LVL, PAGE, x);
}
static u64 c_aug(struct tdx_ext *x)
{
	return tdh_mem_page_aug(TDR, GPA, LVL, PAGE, x);
}
static u64 c_add(struct tdx_ext *x)
{
	return tdh_mem_page_add(TDR, GPA, PAGE, SRC, x);
}
static u64 c_block(struct tdx_ext *x)
{
	return tdh_mem_range_block(TDR, GPA, LVL, x);
}
static u64 c_unblock(struct tdx_ext *x)
{
	return tdh_mem_range_unblock(TDR, GPA, LVL, x);
}
static u64 c_track(struct tdx_ext *x)
{
	return tdh_mem_track(TDR);
}
static u64 c_remove(struct tdx_ext *x)
{
	return tdh_mem_page_remove(TDR, GPA, LVL, x);
}
static u64 c_promote(struct tdx_ext *x)
{
	return tdh_mem_page_promote(TDR, GPA, LVL, x);
}
static u64 c_demote(struct tdx_ext *x)
{
	return tdh_mem_page_demote(TDR, GPA, LVL, PAGE, x);
}
static u64 c_reclaim(struct tdx_ext *x)
{
	return tdh_phymem_page_reclaim(PAGE, x);
}
static u64 c_mr_extend(struct tdx_ext *x)
{
	return tdh_mr_extend(TDR, GPA + 0x100, x);
}
static u64 c_create(struct tdx_ext *x)
{
	return tdh_mng_create(TDR, HKID);
}
static u64 c_addcx(struct tdx_ext *x)
{
	return tdh_mng_addcx(TDR, PAGE);
}
static u64 c_key_config(struct tdx_ext *x)
{
	return tdh_mng_key_config(TDR);
}
static u64 c_init(struct tdx_ext *x)
{
	return tdh_mng_init(TDR, PARAMS, x);
}
static u64 c_finalize(struct tdx_ext *x)
{
	return tdh_mr_finalize(TDR);
}
static u64 c_vpflushdone(struct tdx_ext *x)
{
	return tdh_mng_vpflushdone(TDR);
}
static u64 c_cache_wb(struct tdx_ext *x)
{
	return tdh_phymem_cache_wb();
}
static u64 c_freeid(struct tdx_ext *x)
{
	return tdh_mng_key_freeid(TDR);
}

#define IMG(a, c, d, x8, x9)         \
	((struct tdx_seamcall_regs){ \
		.rax = a, .rcx = c, .rdx = d, .r8 = x8, .r9 = x9})

static const struct leaf_row leaf_rows[] = {
	{"SEPT.ADD", c_sept_add, IMG(3, GPA | LVL, TDR, PAGE, 0), true},
	{"PAGE.AUG", c_aug, IMG(6, GPA | LVL, TDR, PAGE, 0), true},
	{"PAGE.ADD", c_add, IMG(2, GPA, TDR, PAGE, SRC), true},
	{"RANGE.BLOCK", c_block, IMG(7, GPA | LVL, TDR, 0, 0), true},
	{"RANGE.UNBLOCK", c_unblock, IMG(39, GPA | LVL, TDR, 0, 0), true},
	{"MEM.TRACK", c_track, IMG(38, TDR, 0, 0, 0), false},
	{"PAGE.REMOVE", c_remove, IMG(29, GPA | LVL, TDR, 0, 0), true},
	{"PAGE.PROMOTE", c_promote, IMG(23, GPA | LVL, TDR, 0, 0), true},
	{"PAGE.DEMOTE", c_demote, IMG(15, GPA | LVL, TDR, PAGE, 0), true},
	{"PAGE.RECLAIM", c_reclaim, IMG(28, PAGE, 0, 0, 0), true},
	{"MR.EXTEND", c_mr_extend, IMG(16, GPA + 0x100, TDR, 0, 0), true},
	{"MNG.CREATE", c_create, IMG(9, TDR, HKID, 0, 0), false},
	{"MNG.ADDCX", c_addcx, IMG(1, PAGE, TDR, 0, 0), false},
	{"MNG.KEY.CONFIG", c_key_config, IMG(8, TDR, 0, 0, 0), false},
	{"MNG.INIT", c_init, IMG(21, TDR, PARAMS, 0, 0), true},
	{"MR.FINALIZE", c_finalize, IMG(17, TDR, 0, 0, 0), false},
	{"MNG.VPFLUSHDONE", c_vpflushdone, IMG(19, TDR, 0, 0, 0), false},
	{"CACHE.WB", c_cache_wb, IMG(40, 0, 0, 0, 0), false},
	{"MNG.KEY.FREEID", c_freeid, IMG(20, TDR, 0, 0, 0), false},
};

/* An error with outputs in every register: the leaf returns the status
 * and copies RCX and RDX, nothing else. */
static const struct tdx_seamcall_regs err_answer = {
	.rax = TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_RCX,
	.rcx = 0x1111,
	.rdx = 0x0402,
	.r8 = 0x3333,
	.r9 = 0x4444,
	.r10 = 0x5555,
	.r11 = 0x6666};

static void check_rows(struct kt *t, const struct leaf_row *rows,
		       unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct leaf_row *row = &rows[i];
		struct tdx_ext x = {0xdead, 0xdead};
		u64 st;

		arm(&err_answer, 1);
		st = row->call(&x);
		disarm();
		if (!KT_EXPECT_EQ(t, rec.n, 1U)) {
			kt_fail_note(t, "%s", row->name);
			continue;
		}
		expect_image(t, row->name, &rec.in[0], &row->want);
		if (!KT_EXPECT_EQ(t, st, err_answer.rax))
			kt_fail_note(t, "%s", row->name);
		if (row->outputs && (!KT_EXPECT_EQ(t, x.rcx, 0x1111ULL) ||
				     !KT_EXPECT_EQ(t, x.rdx, 0x0402ULL)))
			kt_fail_note(t, "%s", row->name);
	}
}

static void leaf_images(struct kt *t)
{
	check_rows(t, leaf_rows, ARRAY_SIZE(leaf_rows));
}

/* The same leaves through tdx_seamcall_ops: td is the TDR, m ignored. */
#define OPS tdx_seamcall_ops
static u64 o_sept_add(struct tdx_ext *x)
{
	return OPS.sept_add(NULL, TDR, GPA, LVL, PAGE, x);
}
static u64 o_aug(struct tdx_ext *x)
{
	return OPS.page_aug(NULL, TDR, GPA, LVL, PAGE, x);
}
static u64 o_add(struct tdx_ext *x)
{
	return OPS.page_add(NULL, TDR, GPA, PAGE, SRC, x);
}
static u64 o_block(struct tdx_ext *x)
{
	return OPS.range_block(NULL, TDR, GPA, LVL, x);
}
static u64 o_unblock(struct tdx_ext *x)
{
	return OPS.range_unblock(NULL, TDR, GPA, LVL, x);
}
static u64 o_track(struct tdx_ext *x)
{
	return OPS.track(NULL, TDR);
}
static u64 o_remove(struct tdx_ext *x)
{
	return OPS.page_remove(NULL, TDR, GPA, LVL, x);
}
static u64 o_promote(struct tdx_ext *x)
{
	return OPS.page_promote(NULL, TDR, GPA, LVL, x);
}
static u64 o_demote(struct tdx_ext *x)
{
	return OPS.page_demote(NULL, TDR, GPA, LVL, PAGE, x);
}
static u64 o_reclaim(struct tdx_ext *x)
{
	return OPS.page_reclaim(NULL, PAGE, x);
}
static u64 o_mr_extend(struct tdx_ext *x)
{
	return OPS.mr_extend(NULL, TDR, GPA + 0x100, NULL, x);
}
static u64 o_finalize(struct tdx_ext *x)
{
	return OPS.td_finalize(NULL, TDR);
}
static u64 o_td_reclaim(struct tdx_ext *x)
{
	return OPS.td_reclaim(NULL, TDR);
}

static const struct leaf_row ops_rows[] = {
	{"sept_add", o_sept_add, IMG(3, GPA | LVL, TDR, PAGE, 0), true},
	{"page_aug", o_aug, IMG(6, GPA | LVL, TDR, PAGE, 0), true},
	{"page_add", o_add, IMG(2, GPA, TDR, PAGE, SRC), true},
	{"range_block", o_block, IMG(7, GPA | LVL, TDR, 0, 0), true},
	{"range_unblock", o_unblock, IMG(39, GPA | LVL, TDR, 0, 0), true},
	{"track", o_track, IMG(38, TDR, 0, 0, 0), false},
	{"page_remove", o_remove, IMG(29, GPA | LVL, TDR, 0, 0), true},
	{"page_promote", o_promote, IMG(23, GPA | LVL, TDR, 0, 0), true},
	{"page_demote", o_demote, IMG(15, GPA | LVL, TDR, PAGE, 0), true},
	{"page_reclaim", o_reclaim, IMG(28, PAGE, 0, 0, 0), true},
	{"mr_extend", o_mr_extend, IMG(16, GPA + 0x100, TDR, 0, 0), true},
	{"td_finalize", o_finalize, IMG(17, TDR, 0, 0, 0), false},
	{"td_reclaim", o_td_reclaim, IMG(28, TDR, 0, 0, 0), false},
};

static void ops_images(struct kt *t)
{
	check_rows(t, ops_rows, ARRAY_SIZE(ops_rows));
}

/* The model's table is the model's functions, each in its own slot. */
static void model_ops_table(struct kt *t)
{
	KT_EXPECT(t, tdx_model_ops.sept_add == tdx_sept_add);
	KT_EXPECT(t, tdx_model_ops.page_aug == tdx_page_aug);
	KT_EXPECT(t, tdx_model_ops.page_add == tdx_page_add);
	KT_EXPECT(t, tdx_model_ops.range_block == tdx_range_block);
	KT_EXPECT(t, tdx_model_ops.range_unblock == tdx_range_unblock);
	KT_EXPECT(t, tdx_model_ops.track == tdx_track);
	KT_EXPECT(t, tdx_model_ops.page_remove == tdx_page_remove);
	KT_EXPECT(t, tdx_model_ops.page_promote == tdx_page_promote);
	KT_EXPECT(t, tdx_model_ops.page_demote == tdx_page_demote);
	KT_EXPECT(t, tdx_model_ops.page_reclaim == tdx_page_reclaim);
	KT_EXPECT(t, tdx_model_ops.mr_extend == tdx_mr_extend);
	KT_EXPECT(t, tdx_model_ops.td_finalize == tdx_td_finalize);
	KT_EXPECT(t, tdx_model_ops.td_teardown == tdx_td_teardown);
	KT_EXPECT(t, tdx_model_ops.td_reclaim == tdx_td_reclaim);
}

/* A GPA with low bits set, or a level past 3 bits, would alias the other
 * field of RCX: refused before any SEAMCALL, ext cleared. */
static void bad_page_info(struct kt *t)
{
	struct tdx_ext x = {1, 2};

	arm(&err_answer, 1);
	/* Bit 12 is the GPA's: passed on. */
	KT_EXPECT_EQ(t, tdh_mem_page_aug(TDR, GPA | 0x1000, 0, PAGE, &x),
		     err_answer.rax);
	KT_EXPECT_EQ(t, rec.n, 1U);
	KT_EXPECT_EQ(t, rec.in[0].rcx, GPA | 0x1000);
	rec.n = 0;
	KT_EXPECT_EQ(t, tdh_mem_page_aug(TDR, GPA | 1, 0, PAGE, &x),
		     TDX_OPERAND_INVALID | TDX_OPERAND_RCX);
	KT_EXPECT_EQ(t, tdh_mem_range_block(TDR, GPA, 8, &x),
		     TDX_OPERAND_INVALID | TDX_OPERAND_RCX);
	KT_EXPECT_EQ(t, tdh_mem_page_add(TDR, GPA + 0x800, PAGE, SRC, &x),
		     TDX_OPERAND_INVALID | TDX_OPERAND_RCX);
	disarm();
	KT_EXPECT_EQ(t, rec.n, 0U);
	KT_EXPECT_EQ(t, x.rcx, 0ULL);
	KT_EXPECT_EQ(t, x.rdx, 0ULL);
}

/* ---- retries ---- */

static const struct tdx_seamcall_regs ok = {0};
static const struct tdx_seamcall_regs no_entropy = {
	.rax = TDX_RND_NO_ENTROPY, .rcx = 0xdead, .rdx = 0xdead, .r8 = 0xdead};

/* RND_NO_ENTROPY: the leaf again, from its inputs, not from the
 * registers the failed try left. */
static void rnd_retried(struct kt *t)
{
	const struct tdx_seamcall_regs a[] = {no_entropy, no_entropy, ok};
	const struct tdx_seamcall_regs want = IMG(3, GPA | LVL, TDR, PAGE, 0);

	arm(a, ARRAY_SIZE(a));
	KT_EXPECT_EQ(t, tdh_mem_sept_add(TDR, GPA, LVL, PAGE, NULL),
		     TDX_SUCCESS);
	disarm();
	KT_ASSERT_EQ(t, rec.n, 3U);
	for (unsigned int i = 0; i < 3; i++)
		expect_image(t, "try", &rec.in[i], &want);
}

/* ... up to TDH_RND_RETRIES tries, then the status. */
static void rnd_gives_up(struct kt *t)
{
	struct tdx_ext x;

	arm(&no_entropy, 1);
	KT_EXPECT_EQ(t, tdh_mem_page_aug(TDR, GPA, LVL, PAGE, &x),
		     TDX_RND_NO_ENTROPY);
	disarm();
	KT_EXPECT_EQ(t, rec.n, 10U);
	KT_EXPECT_EQ(t, x.rcx, 0xdeadULL);
}

/* OPERAND_BUSY (a lock another CPU or a vCPU holds) is the caller's:
 * one SEAMCALL, the status and RCX/RDX back. */
static void busy_not_retried(struct kt *t)
{
	const struct tdx_seamcall_regs busy = {.rax = TDX_OPERAND_BUSY |
						      TDX_OPERAND_SEPT_TREE,
					       .rcx = 0x77,
					       .rdx = 0x88};
	struct tdx_ext x;

	arm(&busy, 1);
	KT_EXPECT_EQ(t, tdh_mem_range_block(TDR, GPA, LVL, &x),
		     TDX_OPERAND_BUSY | TDX_OPERAND_SEPT_TREE);
	KT_EXPECT_EQ(t, tdh_mem_track(TDR),
		     TDX_OPERAND_BUSY | TDX_OPERAND_SEPT_TREE);
	disarm();
	KT_EXPECT_EQ(t, rec.n, 2U);
	KT_EXPECT_EQ(t, x.rcx, 0x77ULL);
	KT_EXPECT_EQ(t, x.rdx, 0x88ULL);
}

/* PROMOTE/DEMOTE interrupted: issued again with the same image; the
 * outputs are the last answer's. */
static void restartable_reissued(struct kt *t)
{
	const struct tdx_seamcall_regs intr = {
		.rax = TDX_INTERRUPTED_RESTARTABLE,
		.rcx = GPA | LVL,
		.rdx = TDR};
	const struct tdx_seamcall_regs done = {.rcx = 0x9000};
	const struct tdx_seamcall_regs a[] = {intr, intr, done};
	const struct tdx_seamcall_regs want = IMG(15, GPA | LVL, TDR, PAGE, 0);
	struct tdx_ext x;

	arm(a, ARRAY_SIZE(a));
	KT_EXPECT_EQ(t, tdh_mem_page_demote(TDR, GPA, LVL, PAGE, &x),
		     TDX_SUCCESS);
	disarm();
	KT_ASSERT_EQ(t, rec.n, 3U);
	for (unsigned int i = 0; i < 3; i++)
		expect_image(t, "try", &rec.in[i], &want);
	KT_EXPECT_EQ(t, x.rcx, 0x9000ULL);

	arm(a, ARRAY_SIZE(a));
	KT_EXPECT_EQ(t, tdh_mem_page_promote(TDR, GPA, LVL, &x), TDX_SUCCESS);
	disarm();
	KT_EXPECT_EQ(t, rec.n, 3U);
	KT_EXPECT_EQ(t, x.rcx, 0x9000ULL);

	/* Other leaves do not restart: AUG answering it is a status. */
	arm(a, ARRAY_SIZE(a));
	KT_EXPECT_EQ(t, tdh_mem_page_aug(TDR, GPA, LVL, PAGE, &x),
		     TDX_INTERRUPTED_RESTARTABLE);
	disarm();
	KT_EXPECT_EQ(t, rec.n, 1U);
}

/* An interrupt storm is a status after TDH_INTERRUPT_RETRIES, not a
 * hang. */
static void restart_bounded(struct kt *t)
{
	const struct tdx_seamcall_regs intr = {
		.rax = TDX_INTERRUPTED_RESTARTABLE};
	const struct tdx_seamcall_regs resume = {
		.rax = TDX_INTERRUPTED_RESUMABLE};

	arm(&intr, 1);
	KT_EXPECT_EQ(t, tdh_mem_page_promote(TDR, GPA, LVL, NULL),
		     TDX_INTERRUPTED_RESTARTABLE);
	disarm();
	KT_EXPECT_EQ(t, rec.n, 64U);
	arm(&resume, 1);
	KT_EXPECT_EQ(t, tdh_phymem_cache_wb(), TDX_INTERRUPTED_RESUMABLE);
	disarm();
	KT_EXPECT_EQ(t, rec.n, 64U);
}

/* CACHE.WB: RCX 0 to start, 1 to resume. */
static void cache_wb_resumed(struct kt *t)
{
	const struct tdx_seamcall_regs resume = {
		.rax = TDX_INTERRUPTED_RESUMABLE};
	const struct tdx_seamcall_regs a[] = {resume, resume, ok};

	arm(a, ARRAY_SIZE(a));
	KT_EXPECT_EQ(t, tdh_phymem_cache_wb(), TDX_SUCCESS);
	disarm();
	KT_ASSERT_EQ(t, rec.n, 3U);
	KT_EXPECT_EQ(t, rec.in[0].rcx, 0ULL);
	KT_EXPECT_EQ(t, rec.in[1].rcx, 1ULL);
	KT_EXPECT_EQ(t, rec.in[2].rcx, 1ULL);
	for (unsigned int i = 0; i < 3; i++)
		KT_EXPECT_EQ(t, rec.in[i].rax, 40ULL);
}

/* ---- the teardown: VPFLUSHDONE, CACHE.WB, KEY.FREEID ---- */
static void teardown_order(struct kt *t)
{
	const struct tdx_seamcall_regs not_flushed = {
		.rax = TDX_FLUSHVP_NOT_DONE};
	const struct tdx_seamcall_regs nothing_to_wb = {
		.rax = TDX_NO_HKID_READY_TO_WBCACHE};
	const struct tdx_seamcall_regs a[] = {ok, nothing_to_wb, ok};

	arm(&ok, 1);
	KT_EXPECT_EQ(t, OPS.td_teardown(NULL, TDR), TDX_SUCCESS);
	disarm();
	KT_ASSERT_EQ(t, rec.n, 3U);
	expect_image(t, "VPFLUSHDONE", &rec.in[0], &IMG(19, TDR, 0, 0, 0));
	expect_image(t, "CACHE.WB", &rec.in[1], &IMG(40, 0, 0, 0, 0));
	expect_image(t, "KEY.FREEID", &rec.in[2], &IMG(20, TDR, 0, 0, 0));

	/* A vCPU not flushed stops it there. */
	arm(&not_flushed, 1);
	KT_EXPECT_EQ(t, OPS.td_teardown(NULL, TDR), TDX_FLUSHVP_NOT_DONE);
	disarm();
	KT_EXPECT_EQ(t, rec.n, 1U);

	/* Another CPU wrote the caches back: done, KEY.FREEID follows. */
	arm(a, ARRAY_SIZE(a));
	KT_EXPECT_EQ(t, OPS.td_teardown(NULL, TDR), TDX_SUCCESS);
	disarm();
	KT_EXPECT_EQ(t, rec.n, 3U);
}

/* No recorder: the host build's SEAMCALL is #UD, in Linux's encoding. */
static void host_seamcall_is_ud(struct kt *t)
{
	disarm();
	KT_EXPECT_EQ(t, tdh_mem_track(TDR), TDX_SEAMCALL_UD);
	KT_EXPECT_STR_EQ(t, tdx_status_name(TDX_SEAMCALL_UD), "SEAMCALL_UD");
	KT_EXPECT_STR_EQ(t, tdx_status_name(TDX_SEAMCALL_VMFAILINVALID),
			 "SEAMCALL_VMFAILINVALID");
	KT_EXPECT_STR_EQ(t, tdx_status_name(TDX_INTERRUPTED_RESTARTABLE),
			 "INTERRUPTED_RESTARTABLE");
	KT_EXPECT(t, contains(tdx_hw_lacks(), "cannot execute SEAMCALL"));
}

/* ---- tdx_probe() on made-up CPUs ---- */

static struct {
	const char *vendor;
	u32 edx1;
	u64 mtrrcap, seamrr_mask, keyids;
	unsigned int reads;
	u32 read[8];
	bool bad_read; /* an MSR this CPU does not have */
} cpu;

static void fake_cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	*a = *b = *c = *d = 0;
	if (leaf == 0) {
		*a = 0xd;
		memcpy(b, cpu.vendor, 4);
		memcpy(d, cpu.vendor + 4, 4);
		memcpy(c, cpu.vendor + 8, 4);
	} else if (leaf == 1) {
		*d = cpu.edx1;
	}
}

static u64 fake_rdmsr(u32 msr)
{
	bool intel = !memcmp(cpu.vendor, "GenuineIntel", 12);

	if (cpu.reads < ARRAY_SIZE(cpu.read))
		cpu.read[cpu.reads] = msr;
	cpu.reads++;
	switch (msr) {
	case MSR_MTRRCAP:
		cpu.bad_read |= !intel || !(cpu.edx1 & BIT(12));
		return cpu.mtrrcap;
	case MSR_SEAMRR_PHYS_MASK:
		cpu.bad_read |= !(cpu.mtrrcap & MTRRCAP_SEAMRR);
		return cpu.seamrr_mask;
	case MSR_MKTME_KEYID_PARTITIONING:
		return cpu.keyids << 32 | 4;
	}
	cpu.bad_read = true;
	return 0;
}

static const struct tdx_cpu fake = {fake_cpuid, fake_rdmsr};

#define SEAMRR_ON (SEAMRR_MASK_ENABLED | SEAMRR_MASK_LOCKED)

/* A TDX-capable Intel CPU, then one piece taken away at a time. */
static void set_cpu(const char *vendor)
{
	memset(&cpu, 0, sizeof(cpu));
	cpu.vendor = vendor;
	cpu.edx1 = BIT(12);
	cpu.mtrrcap = MTRRCAP_SEAMRR | 0x508;
	cpu.seamrr_mask = SEAMRR_ON | 0xfe000000ULL;
	cpu.keyids = 32;
}

static void expect_reason(struct kt *t, const char *part,
			  unsigned int msr_reads)
{
	const char *why = tdx_probe(&fake);

	if (!KT_EXPECT(t, contains(why, part)))
		kt_fail_note(t, "reason \"%s\", wanted \"%s\"", why, part);
	KT_EXPECT_EQ(t, cpu.reads, msr_reads);
	KT_EXPECT(t, !cpu.bad_read);
}

static void probe_reasons_in_order(struct kt *t)
{
	set_cpu("AuthenticAMD");
	expect_reason(t, "not an Intel CPU", 0);

	set_cpu("GenuineIntel");
	cpu.edx1 = 0;
	expect_reason(t, "no MTRRs", 0);

	set_cpu("GenuineIntel");
	cpu.mtrrcap &= ~MTRRCAP_SEAMRR;
	expect_reason(t, "no SEAMRR", 1);
	KT_EXPECT_EQ(t, cpu.read[0], 0xfeU);

	set_cpu("GenuineIntel");
	cpu.seamrr_mask &= ~SEAMRR_MASK_LOCKED;
	expect_reason(t, "SEAMRR not enabled and locked", 2);
	KT_EXPECT_EQ(t, cpu.read[1], 0x1401U);

	set_cpu("GenuineIntel");
	cpu.seamrr_mask &= ~SEAMRR_MASK_ENABLED;
	expect_reason(t, "SEAMRR not enabled and locked", 2);

	set_cpu("GenuineIntel");
	cpu.keyids = 1;
	expect_reason(t, "fewer than 2 TDX private KeyIDs", 3);
	KT_EXPECT_EQ(t, cpu.read[2], 0x87U);

	/* Two private KeyIDs are enough (Linux's tdx_init() wants at
	 * least 2: one for the module's PAMT and one for a TD). */
	set_cpu("GenuineIntel");
	cpu.keyids = 2;
	expect_reason(t, "SEAMCALL needs VMX root operation", 3);

	/* Everything the CPU can give: VMX root is what is missing. */
	set_cpu("GenuineIntel");
	expect_reason(t, "SEAMCALL needs VMX root operation", 3);
	KT_EXPECT(t, contains(tdx_probe(&fake), "TDH.SYS.INIT"));
}

static const struct kt_case tdx_seamcall_cases[] = {
	KT_CASE(leaf_images),
	KT_CASE(ops_images),
	KT_CASE(model_ops_table),
	KT_CASE(bad_page_info),
	KT_CASE(rnd_retried),
	KT_CASE(rnd_gives_up),
	KT_CASE(busy_not_retried),
	KT_CASE(restartable_reissued),
	KT_CASE(restart_bounded),
	KT_CASE(cache_wb_resumed),
	KT_CASE(teardown_order),
	KT_CASE(host_seamcall_is_ud),
	KT_CASE(probe_reasons_in_order),
};

const struct kt_suite tdx_seamcall_suite =
	KT_SUITE("tdx_seamcall", tdx_seamcall_cases);
