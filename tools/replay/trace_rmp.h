/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/trace_rmp.h - the trace interpreter's RMP ops (rmpupdate,
 * psmash, pvalidate, rmpadjust, rmpread; README.md, "The RMP
 * operations"): a raw SEV-SNP RMP model of TRACE_RMP_SIZE bytes that the
 * interpreter makes at the first such op of a run, on a backend that has
 * one (VMM_FEAT_RMP_MODEL: native), and destroys at the end of the run.
 */
#ifndef GMV_TOOLS_REPLAY_TRACE_RMP_H
#define GMV_TOOLS_REPLAY_TRACE_RMP_H

#include "hv/snp/rmp.h"
#include "tools/replay/trace.h"

bool trace_op_is_rmp(enum trace_opcode code);

/*
 * Run one RMP op and write its result line to out. *model is the run's
 * RMP, made here on first use (NULL until then). Returns 0, or -EIO when
 * check is set and the model's invariants broke after the op.
 */
int trace_rmp_run(struct rmp **model, struct vmm *v, const struct trace_op *op,
		  bool check, char *out, size_t size);

/* The end of a run: the model goes (NULL is fine). */
void trace_rmp_end(struct rmp **model);

#endif
