// SPDX-License-Identifier: MIT
/*
 * tools/replay/trace_rmp.c - the RMP ops of the trace language (see
 * trace_rmp.h). Each op is one instruction on the model RMP, whose range
 * is [0, TRACE_RMP_SIZE): spa= is an offset into it, and what lies outside
 * is not RMP-covered (FAIL_INPUT). The guest-side ops execute at VMPL0 in
 * the guest with ASID asid=, whose translation maps gpa= to spa=.
 */
#include <stdio.h>

#include "lib/errno.h"
#include "tools/replay/trace_rmp.h"

bool trace_op_is_rmp(enum trace_opcode code)
{
	return code == TOP_RMPUPDATE || code == TOP_PSMASH ||
	       code == TOP_PVALIDATE || code == TOP_RMPADJUST ||
	       code == TOP_RMPREAD;
}

static enum rmp_ret run_op(struct rmp *r, const struct trace_op *op,
			   struct rmp_info *ri)
{
	const u64 *v = op->val;
	const struct rmp_guest g = {.asid = (u32)v[TK_ASID], .vmpl = 0};
	bool size_2m = v[TK_SIZE] == RMP_PAGE_2M;
	struct rmp_state st;

	switch (op->code) {
	case TOP_RMPUPDATE:
		st = (struct rmp_state){
			.gpa = v[TK_GPA],
			.assigned = v[TK_ASSIGNED],
			.size_2m = size_2m,
			.immutable = v[TK_IMMUTABLE],
			.asid = (u32)v[TK_ASID],
		};
		return rmpupdate(r, v[TK_SPA], &st);
	case TOP_PSMASH:
		return psmash(r, v[TK_SPA]);
	case TOP_PVALIDATE:
		return rmp_model_pvalidate(r, &g, v[TK_GPA], v[TK_SPA], size_2m,
					   v[TK_VALIDATE]);
	case TOP_RMPADJUST:
		return rmp_model_rmpadjust(r, &g, v[TK_GPA], v[TK_SPA], size_2m,
					   (unsigned int)v[TK_VMPL],
					   (unsigned int)v[TK_PERMS],
					   v[TK_VMSA]);
	case TOP_RMPREAD:
		return rmpread(r, v[TK_SPA], ri);
	default:
		return RMP_FAIL_INPUT;
	}
}

int trace_rmp_run(struct rmp **model, struct vmm *v, const struct trace_op *op,
		  bool check, char *out, size_t size)
{
	const char *name = trace_op_name(op->code);
	struct rmp_info ri;
	enum rmp_ret ret;

	if (v->ops->lacks(v, VMM_FEAT_RMP_MODEL)) {
		snprintf(out, size, "%s err ENOTTY", name);
		return 0;
	}
	if (!*model)
		*model = rmp_model_create(0, TRACE_RMP_SIZE);
	if (!*model) {
		snprintf(out, size, "%s err ENOMEM", name);
		return 0;
	}
	ret = run_op(*model, op, &ri);
	if (ret == RMP_SUCCESS && op->code == TOP_RMPREAD)
		snprintf(out, size,
			 "%s ok assigned=%d size=%s immutable=%d asid=%u "
			 "gpa=0x%llx validated=%d vmsa=%d",
			 name, ri.assigned, ri.size_2m ? "2M" : "4K",
			 ri.immutable, ri.asid, (unsigned long long)ri.gpa,
			 ri.validated, ri.vmsa);
	else if (ret == RMP_SUCCESS)
		snprintf(out, size, "%s ok", name);
	else if (ret == RMP_NO_UPDATE)
		snprintf(out, size, "%s ok unchanged", name);
	else
		snprintf(out, size, "%s err %s", name, rmp_ret_name(ret));
	if (check && rmp_model_check(*model)) {
		fprintf(stderr, "rmp: invariant broken after '%s' (line %u)\n",
			name, op->line);
		return -EIO;
	}
	return 0;
}

void trace_rmp_end(struct rmp **model)
{
	if (*model)
		rmp_destroy(*model);
	*model = NULL;
}
