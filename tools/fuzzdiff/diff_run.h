/* SPDX-License-Identifier: MIT */
/*
 * tools/fuzzdiff/diff_run.h - one trace on the native backend (with the
 * invariant checker after every op) and on the other backend, compared op
 * by op against the fuzz allow-list; and delta debugging of a trace down
 * to a small one that still fails the same way.
 */
#ifndef GMV_TOOLS_FUZZDIFF_DIFF_RUN_H
#define GMV_TOOLS_FUZZDIFF_DIFF_RUN_H

#include "tools/fuzzdiff/gen.h"
#include "tools/fuzzdiff/rules.h"
#include "tools/replay/trace.h"

#define RESULT_MAX 80

struct differ {
	struct vmm *native, *other;
	struct rules *rules;
	const struct gen_caps *caps; /* candidates are bounded by these */
	unsigned long runs; /* traces run on both backends */
};

enum verdict {
	V_AGREE, /* every op compared agrees or is allowed */
	V_DIVERGES, /* an op differs and no entry allows it */
	V_INVARIANT, /* the native checker failed after an op */
};

struct outcome {
	enum verdict verdict;
	size_t compared; /* ops compared */
	unsigned long explained;
	/* comparing stopped at an op the other backend refused as over its
	 * bound (err OVER_BOUND: host-kernel/vmm_linux.c) */
	bool bounded;
	/* V_DIVERGES / V_INVARIANT: the op and both results */
	size_t at;
	struct trace_op op;
	char nat[RESULT_MAX], lin[RESULT_MAX];
	/* the first allowed divergence, for the log */
	const struct rule *rule;
};

/*
 * Run t on both and compare. After an allowed divergence where one side
 * succeeded and the other did not, the two backends hold different
 * objects, so comparing stops there (ops after it are not counted); so it
 * does at an op the other backend refused as over its bound.
 * Returns 0, or -ENOMEM.
 */
int diff_run(struct differ *d, const struct trace *t, struct outcome *o);

/* Same failure: same verdict, op kind and both results. */
bool same_failure(const struct outcome *a, const struct outcome *b);

/*
 * Shrink t in place (drop ops, then smaller numbers) while it still fails
 * as want does, in at most max_runs runs. Returns the runs used.
 */
unsigned long diff_minimize(struct differ *d, struct trace *t,
			    const struct outcome *want, unsigned long max_runs);

#endif
