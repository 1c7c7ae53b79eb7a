/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/trace_tdx.h - the trace interpreter's TDX module ops (td,
 * sept_add, page_aug, page_add, block, unblock, track, vcpu_exit, remove,
 * promote, demote, reclaim, accept, mr_extend, finalize; README.md, "The
 * TDX module
 * operations"): a TDX module model whose PAMT covers TRACE_TDX_SIZE
 * bytes, made at the first such op of a run on a backend that has one
 * (VMM_FEAT_TDX_MODULE_MODEL: native) and destroyed at the end of the run.
 */
#ifndef GMV_TOOLS_REPLAY_TRACE_TDX_H
#define GMV_TOOLS_REPLAY_TRACE_TDX_H

#include "hv/tdx/tdx_module.h"
#include "tools/replay/trace.h"

bool trace_op_is_tdx(enum trace_opcode code);

/*
 * Run one TD op and write its result line to out: "<op> ok", "<op> warn
 * <STATUS>" for a warning status, "<op> err <STATUS>" otherwise. *model
 * is the run's model, made here on first use (NULL until then). Returns
 * 0, or -EIO when check is set and the model's invariants broke.
 */
int trace_tdx_run(struct tdx_model **model, struct vmm *v,
		  const struct trace_op *op, bool check, char *out,
		  size_t size);

/* The end of a run: the model goes (NULL is fine). */
void trace_tdx_end(struct tdx_model **model);

#endif
