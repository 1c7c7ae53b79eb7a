// SPDX-License-Identifier: MIT
/*
 * tools/fuzz/fuzz_trace.c - libFuzzer target: arbitrary text through the
 * trace interpreter on the native backend, with the backend's invariant
 * checker after every operation and after the final reset, the RMP
 * model's checker after every RMP op and the TDX module model's after
 * every TD op. A failed check aborts, so libFuzzer keeps the input.
 * `make fuzz` runs it. At exit it prints how many RMP ops ran, per op and
 * outcome ("fuzz: rmp psmash FAIL_BADADDR 1234"), so a run shows which of
 * them the fuzzing reached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/replay/backends.h"
#include "tools/replay/trace.h"
#include "tools/replay/trace_rmp.h"

/* Keep each input cheap: a few hundred ops, host writes of at most 1 MiB. */
static const struct trace_limits limits = {
	.max_ops = 512,
	.max_write_len = 1 << 20,
};

static struct vmm native;

/* RMP ops run, per op and outcome: "ok", "unchanged" (PVALIDATE's CF=1)
 * or the code's name. */
#define MAX_OUTCOMES 64
static struct {
	enum trace_opcode code;
	char outcome[24];
	unsigned long long n;
} rmp_seen[MAX_OUTCOMES];
static unsigned int nr_rmp_seen;

static void count_rmp(const struct trace_op *op, const char *text)
{
	const char *o = strchr(text, ' ');
	char what[24];
	unsigned int i;

	o = o ? o + 1 : "";
	if (!strncmp(o, "ok unchanged", 12))
		snprintf(what, sizeof(what), "unchanged");
	else if (!strncmp(o, "ok", 2))
		snprintf(what, sizeof(what), "ok");
	else if (!strncmp(o, "err ", 4))
		snprintf(what, sizeof(what), "%s", o + 4);
	else
		snprintf(what, sizeof(what), "?");
	for (i = 0; i < nr_rmp_seen; i++)
		if (rmp_seen[i].code == op->code &&
		    !strcmp(rmp_seen[i].outcome, what))
			break;
	if (i == nr_rmp_seen) {
		if (i == MAX_OUTCOMES)
			return;
		rmp_seen[i].code = op->code;
		memcpy(rmp_seen[i].outcome, what, sizeof(what));
		nr_rmp_seen++;
	}
	rmp_seen[i].n++;
}

static void print_rmp_seen(void)
{
	for (unsigned int i = 0; i < nr_rmp_seen; i++)
		fprintf(stderr, "fuzz: rmp %s %s %llu\n",
			trace_op_name(rmp_seen[i].code), rmp_seen[i].outcome,
			rmp_seen[i].n);
}

static void discard(void *arg, const struct trace_op *op, const char *text)
{
	if (trace_op_is_rmp(op->code))
		count_rmp(op, text);
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
	atexit(print_rmp_seen);
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
