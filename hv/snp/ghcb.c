// SPDX-License-Identifier: MIT
/*
 * hv/snp/ghcb.c - the hypervisor side of the GHCB protocol (hv/snp/ghcb.h),
 * after the GHCB spec (AMD pub. 56421) and Linux's arch/x86/kvm/svm/sev.c
 * (sev_handle_vmgexit_msr_protocol, sev_handle_vmgexit,
 * sev_es_validate_vmgexit, setup_vmgexit_scratch, snp_begin_psc*,
 * snp_complete_psc*). Every guest mistake is an answer in the protocol or
 * a GHCB_FAIL action naming it; guest memory is reached only through
 * env->read/write, one field at a time.
 */
#include "hv/snp/ghcb.h"
#include "hv/kvm_abi.h"
#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define PAGES_2M 512U

static const u8 no_bits[16];

void ghcb_vcpu_init(struct ghcb_vcpu *g)
{
	memset(g, 0, sizeof(*g));
	g->gpa = GHCB_GPA_NONE;
	g->pending = GHCB_PENDING_NONE;
}

u64 ghcb_sev_info(const struct ghcb_env *env)
{
	return ((u64)GHCB_PROTOCOL_MAX << 48) | ((u64)GHCB_PROTOCOL_MIN << 32) |
	       ((u64)(env->c_bit & 0xff) << 24) | GHCB_MSR_SEV_INFO_RESP;
}

static void act_init(struct ghcb_action *act, enum ghcb_action_kind kind)
{
	memset(act, 0, sizeof(*act));
	act->kind = kind;
}

static void __printf(2, 3)
	act_fail(struct ghcb_action *act, const char *fmt, ...)
{
	va_list ap;

	act_init(act, GHCB_FAIL);
	va_start(ap, fmt);
	gmv_vsnprintf(act->why, sizeof(act->why), fmt, ap);
	va_end(ap);
}

static bool rd64(const struct ghcb_env *env, u64 gpa, u64 *v)
{
	return env->read(env->ctx, gpa, v, sizeof(*v)) == 0;
}

static bool wr64(const struct ghcb_env *env, u64 gpa, u64 v)
{
	return env->write(env->ctx, gpa, &v, sizeof(v)) == 0;
}

/* ------------------------------------------------------------ MSR protocol */

/* GHCB spec "GHCB MSR Protocol", SNP Page State Change request: GFN in
 * 51:12, operation 55:52. Only "private" and "shared" are operations
 * here; anything else is answered at once with KVM's error value, no
 * exit (snp_begin_psc_msr). */
static void msr_psc(struct ghcb_vcpu *g, struct ghcb_action *act)
{
	u64 op = (g->msr >> 52) & 0xf;

	if (op != GHCB_PSC_OP_PRIVATE && op != GHCB_PSC_OP_SHARED) {
		g->msr = GHCB_MSR_PSC_RESP_ERROR;
		act_init(act, GHCB_RESUME);
		return;
	}
	act_init(act, GHCB_MAP_GPA);
	act->gpa = ((g->msr >> 12) & 0xffffffffffULL) << 12;
	act->npages = 1;
	act->attrs = (op == GHCB_PSC_OP_PRIVATE ? GMV_MAP_GPA_RANGE_ENCRYPTED
						: GMV_MAP_GPA_RANGE_DECRYPTED) |
		     GMV_MAP_GPA_RANGE_PAGE_SZ_4K;
	g->pending = GHCB_PENDING_PSC_MSR;
}

static void msr_protocol(struct ghcb_vcpu *g, const struct ghcb_env *env,
			 struct ghcb_action *act)
{
	u64 gfn = g->msr >> 12;
	u32 regs[4];
	u8 probe;

	act_init(act, GHCB_RESUME);
	switch (g->msr & GHCB_MSR_INFO_MASK) {
	case GHCB_MSR_SEV_INFO_REQ:
		g->msr = ghcb_sev_info(env);
		break;
	case GHCB_MSR_CPUID_REQ:
		/* Function in 63:32, register in 31:30: the two bits name
		 * all four of EAX..EDX, so no selector is invalid. The
		 * index (ECX) is 0. As KVM, the value replaces 63:32 and
		 * the code 11:0, bits 31:12 stay as the guest wrote them
		 * (sev_handle_vmgexit_msr_protocol). */
		env->cpuid(env->ctx, (u32)(g->msr >> 32), 0, regs);
		g->msr = ((u64)regs[(g->msr >> 30) & 3] << 32) |
			 (g->msr & 0xfffff000ULL) | GHCB_MSR_CPUID_RESP;
		break;
	case GHCB_MSR_PREF_GPA_REQ:
		/* No preferred GHCB GPA (KVM answers GHCB_MSR_PREF_GPA_NONE).
		 */
		g->msr = (GHCB_MSR_GFN_NONE << 12) | GHCB_MSR_PREF_GPA_RESP;
		break;
	case GHCB_MSR_REG_GPA_REQ:
		/* GHCB spec "GHCB GPA Registration": the answer repeats the
		 * GFN, or is all ones when the hypervisor cannot use that
		 * GPA; here, a GPA the caller cannot read. A refusal
		 * leaves any earlier registration as it was. KVM accepts
		 * every GFN. */
		if (env->read(env->ctx, gfn << 12, &probe, 1)) {
			g->msr = (GHCB_MSR_GFN_NONE << 12) |
				 GHCB_MSR_REG_GPA_RESP;
			break;
		}
		g->gpa = gfn << 12;
		g->msr = (gfn << 12) | GHCB_MSR_REG_GPA_RESP;
		break;
	case GHCB_MSR_PSC_REQ:
		msr_psc(g, act);
		break;
	case GHCB_MSR_HV_FT_REQ:
		/* Features in 63:12 (KVM: GHCB_HV_FT_SUPPORTED). */
		g->msr = ((env->hv_features & 0xfffffffffffffULL) << 12) |
			 GHCB_MSR_HV_FT_RESP;
		break;
	case GHCB_MSR_TERM_REQ:
		/* Reason set 15:12, code 23:16: handed to the VMM whole, as
		 * KVM's KVM_SYSTEM_EVENT_SEV_TERM data[0]. */
		act_init(act, GHCB_TERMINATE);
		act->term = g->msr;
		break;
	default:
		/* Any other request, AP reset hold (0x006) and run at VMPL
		 * (0x016) included: KVM resumes the guest with the MSR as
		 * it was ("Error, keep GHCB MSR value as-is"), so the guest
		 * sees its own request code instead of a response. */
		break;
	}
}

/* ---------------------------------------------------------- GHCB protocol */

/* SW_EXITINFO1 and SW_EXITINFO2: the answer to a GHCB request. */
static void ghcb_answer(const struct ghcb_vcpu *g, const struct ghcb_env *env,
			u64 info1, u64 info2, struct ghcb_action *act)
{
	if (!wr64(env, g->gpa + GHCB_OFF_SW_EXITINFO1, info1) ||
	    !wr64(env, g->gpa + GHCB_OFF_SW_EXITINFO2, info2)) {
		act_fail(act, "GHCB at GPA %#llx cannot be written",
			 (unsigned long long)g->gpa);
		return;
	}
	act_init(act, GHCB_RESUME);
}

static bool bit_set(const u8 *bitmap, unsigned int off)
{
	unsigned int bit = GHCB_VALID_BIT(off);

	return bitmap[bit / 8] & (1U << (bit % 8));
}

/*
 * SNP Page State Change (GHCB spec "SNP Page State Change"; KVM
 * setup_vmgexit_scratch, snp_begin_psc). The descriptor is at SW_SCRATCH:
 * inside the GHCB page it must lie whole in the shared buffer
 * (0x800..0xff0), else INVALID_SCRATCH_AREA; elsewhere it is read from
 * shared memory as is.
 */
struct psc_req {
	u64 desc; /* the descriptor's GPA */
	u16 cur, end; /* its header */
	u16 first, count; /* the run taken */
	u64 gfn, npages, attrs;
};

static u64 entry_gpa(const struct psc_req *r, unsigned int i)
{
	return r->desc + GHCB_PSC_HDR_SIZE + 8ULL * i;
}

/* Pages of entry e not done yet (cur_page counts those done). */
static u64 entry_left(u64 e)
{
	return (GHCB_PSC_2M(e) ? PAGES_2M : 1) - GHCB_PSC_CUR_PAGE(e);
}

/* An entry converted by no exit: the PSMASH and UNSMASH hints, and, as
 * KVM's snp_begin_psc treats them, operations the spec does not define
 * (KVM converts only 1 and 2 and marks the others done). */
static bool entry_is_hint(u64 e)
{
	return GHCB_PSC_OP(e) != GHCB_PSC_OP_PRIVATE &&
	       GHCB_PSC_OP(e) != GHCB_PSC_OP_SHARED;
}

/*
 * An entry is INVALID_ENTRY when cur_page passes the entry's page count or
 * a 2 MiB entry's GFN is not 2 MiB aligned: KVM's snp_begin_psc checks
 * these two only, on the entry that starts a run, and leaves the reserved
 * bits 63:57 unread; so does this code.
 */
static bool entry_valid(u64 e)
{
	u64 pages = GHCB_PSC_2M(e) ? PAGES_2M : 1;

	return GHCB_PSC_CUR_PAGE(e) <= pages &&
	       IS_ALIGNED(GHCB_PSC_GFN(e), pages);
}

/* Read entry i, or name the failure in act. */
static bool read_entry(const struct ghcb_env *env, const struct psc_req *r,
		       unsigned int i, u64 *e, struct ghcb_action *act)
{
	if (rd64(env, entry_gpa(r, i), e))
		return true;
	act_fail(act, "PSC entry %u at GPA %#llx unreadable", i,
		 (unsigned long long)entry_gpa(r, i));
	return false;
}

/* Entry i done: cur_page = its page count (KVM __snp_complete_one_psc). */
static bool finish_entry(const struct ghcb_env *env, const struct psc_req *r,
			 unsigned int i, struct ghcb_action *act)
{
	u64 e;

	if (!read_entry(env, r, i, &e, act))
		return false;
	e = (e & ~0xfffULL) | (GHCB_PSC_2M(e) ? PAGES_2M : 1);
	if (wr64(env, entry_gpa(r, i), e))
		return true;
	act_fail(act, "PSC entry %u at GPA %#llx cannot be written", i,
		 (unsigned long long)entry_gpa(r, i));
	return false;
}

static bool write_cur_entry(const struct ghcb_env *env, u64 desc, u16 cur,
			    struct ghcb_action *act)
{
	if (env->write(env->ctx, desc, &cur, sizeof(cur)) == 0)
		return true;
	act_fail(act, "PSC descriptor at GPA %#llx cannot be written",
		 (unsigned long long)desc);
	return false;
}

/*
 * Take the run to convert: from cur_entry, entries with nothing left or
 * with a hint operation are marked done and passed (KVM treats PSMASH and
 * UNSMASH as done without an exit); the first entry with pages left opens
 * the run, and each next entry joins it while it has the same operation,
 * starts at the GFN where the run ends, has no page done and the same
 * page size (KVM snp_begin_psc). A 2 MiB entry with pages done counts its
 * pages left as 4 KiB pages and takes no other entry. Returns the PSC
 * status for SW_EXITINFO2 (0 or INVALID_*), or -1 with act failed.
 */
static s64 psc_take_run(const struct ghcb_env *env, struct psc_req *r,
			struct ghcb_action *act)
{
	unsigned int i;
	u64 e, start = 0;
	bool huge = false; /* the run's entries are whole 2 MiB entries */

	r->count = 0;
	for (i = r->cur; i <= r->end; i++) {
		/* Each entry read once, here: the guest (another vCPU) may
		 * change the descriptor meanwhile. */
		if (!read_entry(env, r, i, &e, act))
			return -1;
		if (!r->count) {
			/* The entry that would start the run is checked;
			 * those done before it stay done (cur_entry). */
			if (!entry_valid(e)) {
				if (!write_cur_entry(env, r->desc, r->cur,
						     act))
					return -1;
				return GHCB_PSC_ERROR_INVALID_ENTRY;
			}
			if (!entry_left(e) || entry_is_hint(e)) {
				if (!finish_entry(env, r, i, act))
					return -1;
				r->cur = i + 1;
				continue;
			}
			start = e;
			huge = GHCB_PSC_2M(e) && !GHCB_PSC_CUR_PAGE(e);
			r->first = i;
			r->count = 1;
			r->npages = entry_left(e);
			r->gfn = GHCB_PSC_GFN(e) + GHCB_PSC_CUR_PAGE(e);
			continue;
		}
		if (GHCB_PSC_OP(e) != GHCB_PSC_OP(start) ||
		    GHCB_PSC_GFN(e) != r->gfn + r->npages ||
		    GHCB_PSC_CUR_PAGE(e) || GHCB_PSC_2M(e) != huge)
			break;
		r->count++;
		r->npages += huge ? PAGES_2M : 1;
	}
	if (!write_cur_entry(env, r->desc, r->cur, act))
		return -1;
	if (r->count) {
		/* The page size flag is the first entry's, as KVM's: a
		 * partly done 2 MiB entry is flagged PAGE_SZ_2M though only
		 * its 4 KiB pages left are converted. */
		r->attrs = (GHCB_PSC_OP(start) == GHCB_PSC_OP_PRIVATE
				    ? GMV_MAP_GPA_RANGE_ENCRYPTED
				    : GMV_MAP_GPA_RANGE_DECRYPTED) |
			   (GHCB_PSC_2M(start) ? GMV_MAP_GPA_RANGE_PAGE_SZ_2M
					       : GMV_MAP_GPA_RANGE_PAGE_SZ_4K);
	}
	return 0;
}

static void psc_begin(struct ghcb_vcpu *g, const struct ghcb_env *env,
		      u64 scratch, struct ghcb_action *act)
{
	struct psc_req r = {.desc = scratch};
	u64 buf = g->gpa + GHCB_OFF_SHARED_BUF;
	u64 buf_end = g->gpa + GHCB_OFF_SHARED_BUF_END;
	u16 hdr[2];
	s64 status;

	/* setup_vmgexit_scratch: a scratch GPA is needed, and one in the
	 * GHCB page lies in its shared buffer (its end checked below). */
	if (!scratch || ((scratch & PAGE_MASK) == g->gpa && scratch < buf)) {
		ghcb_answer(g, env, GHCB_EXITINFO1_ERROR,
			    GHCB_ERR_INVALID_SCRATCH_AREA, act);
		return;
	}
	/* KVM fails the vCPU run with -EFAULT when it cannot read the
	 * scratch area: a guest error without a GHCB answer. */
	if (env->read(env->ctx, scratch, hdr, sizeof(hdr))) {
		act_fail(act, "PSC descriptor at GPA %#llx unreadable",
			 (unsigned long long)scratch);
		return;
	}
	r.cur = hdr[0];
	r.end = hdr[1];
	/* The header: end_entry (inclusive) below 253; cur_entry past it
	 * is nothing to do, answered 0 (KVM snp_begin_psc). */
	if (r.end >= GHCB_PSC_MAX_ENTRIES) {
		ghcb_answer(g, env, 0, GHCB_PSC_ERROR_INVALID_HDR, act);
		return;
	}
	if (r.cur > r.end) {
		ghcb_answer(g, env, 0, 0, act);
		return;
	}
	if ((scratch & PAGE_MASK) == g->gpa &&
	    entry_gpa(&r, r.end) + 8 > buf_end) {
		ghcb_answer(g, env, GHCB_EXITINFO1_ERROR,
			    GHCB_ERR_INVALID_SCRATCH_AREA, act);
		return;
	}
	status = psc_take_run(env, &r, act);
	if (status < 0)
		return;
	if (status || !r.count) {
		/* An invalid entry, or nothing left to convert. */
		ghcb_answer(g, env, 0, (u64)status, act);
		return;
	}
	act_init(act, GHCB_MAP_GPA);
	act->gpa = r.gfn << 12;
	act->npages = r.npages;
	act->attrs = r.attrs;
	g->pending = GHCB_PENDING_PSC;
	g->psc_desc = r.desc;
	g->psc_first = r.first;
	g->psc_count = r.count;
}

/*
 * The GHCB page protocol (KVM sev_handle_vmgexit, sev_es_validate_vmgexit):
 * the page must be the registered one (an SNP guest must register it:
 * GHCB spec "GHCB GPA Registration"; KVM fails the run otherwise), usage
 * 0, SW_EXITCODE, SW_EXITINFO1 and SW_EXITINFO2 marked valid, then the
 * event's own inputs.
 */
static void page_protocol(struct ghcb_vcpu *g, const struct ghcb_env *env,
			  struct ghcb_action *act)
{
	u64 ghcb = g->msr, code, scratch;
	u8 valid[16];
	u32 usage;

	if (g->gpa == GHCB_GPA_NONE) {
		act_fail(act, "VMGEXIT with GHCB %#llx but no GHCB registered",
			 (unsigned long long)ghcb);
		return;
	}
	if (ghcb != g->gpa) {
		act_fail(act, "VMGEXIT with GHCB %#llx, registered %#llx",
			 (unsigned long long)ghcb, (unsigned long long)g->gpa);
		return;
	}
	if (env->read(env->ctx, ghcb + GHCB_OFF_USAGE, &usage, sizeof(usage)) ||
	    env->read(env->ctx, ghcb + GHCB_OFF_VALID_BITMAP, valid,
		      sizeof(valid)) ||
	    !rd64(env, ghcb + GHCB_OFF_SW_EXITCODE, &code) ||
	    !rd64(env, ghcb + GHCB_OFF_SW_SCRATCH, &scratch)) {
		act_fail(act, "GHCB at GPA %#llx unreadable",
			 (unsigned long long)ghcb);
		return;
	}
	/* KVM clears the valid bitmap once it has read the GHCB, before
	 * any check (sev_es_sync_from_ghcb): a stale bit cannot pass for
	 * the next request's input. */
	if (env->write(env->ctx, ghcb + GHCB_OFF_VALID_BITMAP, no_bits,
		       sizeof(no_bits))) {
		act_fail(act, "GHCB at GPA %#llx cannot be written",
			 (unsigned long long)ghcb);
		return;
	}
	if (usage) {
		ghcb_answer(g, env, GHCB_EXITINFO1_ERROR,
			    GHCB_ERR_INVALID_USAGE, act);
		return;
	}
	if (!bit_set(valid, GHCB_OFF_SW_EXITCODE) ||
	    !bit_set(valid, GHCB_OFF_SW_EXITINFO1) ||
	    !bit_set(valid, GHCB_OFF_SW_EXITINFO2)) {
		ghcb_answer(g, env, GHCB_EXITINFO1_ERROR,
			    GHCB_ERR_MISSING_INPUT, act);
		return;
	}
	switch (code) {
	case SVM_VMGEXIT_PSC:
		if (!bit_set(valid, GHCB_OFF_SW_SCRATCH)) {
			ghcb_answer(g, env, GHCB_EXITINFO1_ERROR,
				    GHCB_ERR_MISSING_INPUT, act);
			return;
		}
		psc_begin(g, env, scratch, act);
		return;
	case SVM_VMGEXIT_HV_FEATURES:
		/* GHCB spec "Hypervisor Feature Support": the features in
		 * SW_EXITINFO2 (KVM). */
		ghcb_answer(g, env, 0, env->hv_features, act);
		return;
	default:
		/* KVM serves the other NAE events (IOIO, MSR, CPUID, MMIO,
		 * AP creation, guest requests, ...); this module does not
		 * yet, and answers each as KVM answers an unknown one. */
		ghcb_answer(g, env, GHCB_EXITINFO1_ERROR,
			    GHCB_ERR_INVALID_EVENT, act);
		return;
	}
}

int ghcb_vmgexit(struct ghcb_vcpu *g, const struct ghcb_env *env,
		 struct ghcb_action *act)
{
	if (g->pending != GHCB_PENDING_NONE)
		return -EBUSY;
	if (g->msr & GHCB_MSR_INFO_MASK)
		msr_protocol(g, env, act);
	else
		page_protocol(g, env, act);
	return 0;
}

/*
 * The VMM's answer to a run of a GHCB page state change. ret 0: the run's
 * entries are done, cur_entry passes them, and the guest resumes with
 * SW_EXITINFO2 0 even when entries are left: the hypervisor may resume the
 * guest before it has processed every entry, and the guest issues the
 * VMGEXIT again while cur_entry <= end_entry (GHCB spec "SNP Page State
 * Change"; Linux guest vmgexit_psc). KVM instead goes on to the next run
 * before resuming. ret != 0: VMGEXIT_PSC_ERROR_GENERIC, nothing advanced
 * (KVM snp_complete_one_psc).
 */
static void psc_complete(struct ghcb_vcpu *g, const struct ghcb_env *env,
			 u64 ret, struct ghcb_action *act)
{
	struct psc_req r = {.desc = g->psc_desc};
	unsigned int i;

	if (ret) {
		ghcb_answer(g, env, 0, GHCB_PSC_ERROR_GENERIC, act);
		return;
	}
	for (i = g->psc_first; i < g->psc_first + g->psc_count; i++)
		if (!finish_entry(env, &r, i, act))
			return;
	if (!write_cur_entry(env, r.desc, g->psc_first + g->psc_count, act))
		return;
	ghcb_answer(g, env, 0, 0, act);
}

void ghcb_cancel(struct ghcb_vcpu *g)
{
	g->pending = GHCB_PENDING_NONE;
}

int ghcb_complete(struct ghcb_vcpu *g, const struct ghcb_env *env, u64 ret,
		  struct ghcb_action *act)
{
	enum ghcb_pending p = g->pending;

	if (p == GHCB_PENDING_NONE)
		return -EINVAL;
	g->pending = GHCB_PENDING_NONE;
	if (p == GHCB_PENDING_PSC_MSR) {
		/* KVM snp_complete_psc_msr: 0x015, or its error value. */
		g->msr = ret ? GHCB_MSR_PSC_RESP_ERROR : GHCB_MSR_PSC_RESP;
		act_init(act, GHCB_RESUME);
		return 0;
	}
	psc_complete(g, env, ret, act);
	return 0;
}
