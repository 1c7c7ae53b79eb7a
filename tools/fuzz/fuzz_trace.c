// SPDX-License-Identifier: MIT
/*
 * tools/fuzz/fuzz_trace.c - libFuzzer target: arbitrary text through the
 * trace interpreter on the native backend, with the backend's invariant
 * checker after every operation and after the final reset, the RMP
 * model's checker after every RMP op and the TDX module model's after
 * every TD op. A failed check aborts, so libFuzzer
 * keeps the input. `make fuzz` runs it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "tools/replay/backends.h"
#include "tools/replay/trace.h"

/* Keep each input cheap: a few hundred ops, host writes of at most 1 MiB. */
static const struct trace_limits limits = {
	.max_ops = 512,
	.max_write_len = 1 << 20,
};

static struct vmm native;

static void discard(void *arg, const struct trace_op *op, const char *text)
{
}

static void check_after(void *arg, const struct trace_op *op)
{
	struct vmm *v = arg;

	if (v->ops->check(v)) {
		fprintf(stderr, "fuzz: invariant broken after '%s' (line %u)\n",
			trace_op_name(op->code), op->line);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (backend_open("native", &native)) {
		fprintf(stderr, "fuzz: cannot open the native backend\n");
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct trace_hooks h = {
		.emit = discard, .after_op = check_after, .arg = &native,
		.check_rmp = true,
		.check_tdx = true,
	};
	struct trace_error err;
	struct trace t;

	if (trace_parse((const char *)data, size, &limits, &t, &err))
		return 0;
	if (trace_run(&t, &native, &h) == -EIO) {
		fprintf(stderr, "fuzz: RMP or TDX model invariant broken\n");
		abort();
	}
	trace_free(&t);
	if (native.ops->check(&native)) {
		fprintf(stderr, "fuzz: invariant broken after reset\n");
		abort();
	}
	return 0;
}
