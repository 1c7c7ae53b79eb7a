// SPDX-License-Identifier: MIT
/*
 * tools/replay/trace_tdx.c - the TDX module ops of the trace language (see
 * trace_tdx.h). Each op is one SEAMCALL leaf, the guest's
 * TDG.MEM.PAGE.ACCEPT, or a vCPU passing through a TD exit, on the model
 * whose PAMT covers [0, TRACE_TDX_SIZE): hpa= and src= are offsets into
 * it. td= names a TD by the id its `td` op gave it.
 */
#include <stdio.h>

#include "lib/errno.h"
#include "tools/replay/trace_tdx.h"

bool trace_op_is_tdx(enum trace_opcode code)
{
	return code >= TOP_TD && code <= TOP_FINALIZE;
}

static u64 run_op(struct tdx_model *m, const struct trace_op *op)
{
	const u64 *v = op->val;
	u64 td = v[TK_TD], gpa = v[TK_GPA], hpa = v[TK_HPA];
	unsigned int level = (unsigned int)v[TK_LEVEL];

	switch (op->code) {
	case TOP_TD:
		/* vcpus defaults to 1; init=1 stops before TDH.MR.FINALIZE. */
		return tdx_td_create(
			m, v[TK_ID],
			op->given & BIT(TK_VCPUS) ? (unsigned int)v[TK_VCPUS]
						  : 1,
			v[TK_INIT] ? TDX_TD_INITIALIZED : TDX_TD_RUNNABLE);
	case TOP_SEPT_ADD:
		return tdx_sept_add(m, td, gpa, level, hpa, NULL);
	case TOP_PAGE_AUG:
		return tdx_page_aug(m, td, gpa, level, hpa, NULL);
	case TOP_PAGE_ADD:
		return tdx_page_add(m, td, gpa, hpa, v[TK_SRC], NULL);
	case TOP_BLOCK:
		return tdx_range_block(m, td, gpa, level, NULL);
	case TOP_UNBLOCK:
		return tdx_range_unblock(m, td, gpa, level, NULL);
	case TOP_TRACK:
		return tdx_track(m, td);
	case TOP_VCPU_EXIT:
		return tdx_vcpu_exit(m, td, (unsigned int)v[TK_VCPU]);
	case TOP_REMOVE:
		return tdx_page_remove(m, td, gpa, level, NULL);
	case TOP_PROMOTE:
		return tdx_page_promote(m, td, gpa, level, NULL);
	case TOP_DEMOTE:
		return tdx_page_demote(m, td, gpa, level, hpa, NULL);
	case TOP_RECLAIM:
		return tdx_page_reclaim(m, hpa, NULL);
	case TOP_ACCEPT:
		return tdx_accept(m, td, (unsigned int)v[TK_VCPU], gpa, level,
				  NULL);
	case TOP_MR_EXTEND:
		/* The model keeps no page contents: a chunk of zeros. */
		return tdx_mr_extend(m, td, gpa, NULL, NULL);
	case TOP_FINALIZE:
		return tdx_td_finalize(m, td);
	default:
		return TDX_OPERAND_INVALID;
	}
}

int trace_tdx_run(struct tdx_model **model, struct vmm *v,
		  const struct trace_op *op, bool check, char *out, size_t size)
{
	const char *name = trace_op_name(op->code);
	u64 st;

	if (v->ops->lacks(v, VMM_FEAT_TDX_MODULE_MODEL)) {
		snprintf(out, size, "%s err ENOTTY", name);
		return 0;
	}
	if (!*model)
		*model = tdx_model_create(TRACE_TDX_SIZE);
	if (!*model) {
		snprintf(out, size, "%s err ENOMEM", name);
		return 0;
	}
	st = run_op(*model, op);
	if (st == TDX_SUCCESS)
		snprintf(out, size, "%s ok", name);
	else
		snprintf(out, size, "%s %s %s", name,
			 tdx_status_is_warning(st) ? "warn" : "err",
			 tdx_status_name(st));
	if (check && tdx_model_check(*model)) {
		fprintf(stderr, "tdx: invariant broken after '%s' (line %u)\n",
			name, op->line);
		return -EIO;
	}
	return 0;
}

void trace_tdx_end(struct tdx_model **model)
{
	if (*model)
		tdx_model_destroy(*model);
	*model = NULL;
}
