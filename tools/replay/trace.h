/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/trace.h - the gmem trace language (format v1, see
 * README.md, "gmem-replay"): parsing a trace into operations and running
 * them against any struct vmm, one output line per operation. Used by
 * gmem-replay and by the fuzzer.
 */
#ifndef GMV_TOOLS_REPLAY_TRACE_H
#define GMV_TOOLS_REPLAY_TRACE_H

#include "hv/vmm.h"

enum trace_opcode {
	TOP_VM,
	TOP_GMEM,
	TOP_SLOT,
	TOP_FALLOC,
	TOP_ATTR,
	TOP_WRITE,
	TOP_READ,
	TOP_CLOSE,
	/* The RMP ops (README.md, "The RMP operations"): a raw SEV-SNP RMP
	 * model the interpreter makes for the trace (native only). */
	TOP_RMPUPDATE,
	TOP_PSMASH,
	TOP_PVALIDATE,
	TOP_RMPADJUST,
	TOP_RMPREAD,
	/* The TDX module ops (README.md, "The TDX module operations"): a
	 * TDX module model the interpreter makes for the trace (native
	 * only). */
	TOP_TD,
	TOP_SEPT_ADD,
	TOP_PAGE_AUG,
	TOP_PAGE_ADD,
	TOP_BLOCK,
	TOP_UNBLOCK,
	TOP_TRACK,
	TOP_VCPU_EXIT,
	TOP_REMOVE,
	TOP_PROMOTE,
	TOP_DEMOTE,
	TOP_RECLAIM,
	TOP_ACCEPT,
	TOP_MR_EXTEND,
	TOP_FINALIZE,
};

enum trace_key {
	TK_ID,
	TK_TYPE,
	TK_VM,
	TK_GMEM,
	TK_SIZE,
	TK_FLAGS,
	TK_SLOT,
	TK_GPA,
	TK_OFFSET,
	TK_MODE,
	TK_LEN,
	TK_ATTRS,
	TK_BYTE,
	TK_SPA,
	TK_ASSIGNED,
	TK_ASID,
	TK_IMMUTABLE,
	TK_VALIDATE,
	TK_VMPL,
	TK_PERMS,
	TK_VMSA,
	TK_TD,
	TK_LEVEL,
	TK_HPA,
	TK_SRC,
	TK_VCPUS,
	TK_INIT,
	TK_VCPU,
	TK_NR_KEYS
};

_Static_assert(TK_NR_KEYS <= 32, "struct trace_op's given is a u32");

/*
 * The most bytes one write or read may name (len=). The interpreter writes
 * len bytes through a mapping of the gmem, so a bigger len would let a
 * short trace make the host fault in gigabytes; a larger len is a parse
 * error.
 */
#define TRACE_LEN_MAX (1ULL << 20)

/* The size of the RMP model behind the rmp* ops; spa= is an offset into
 * it (64 MiB: 32 2 MiB regions). */
#define TRACE_RMP_SIZE (64ULL << 20)
/* The size of the physical range the TDX module model's PAMT covers
 * behind the TD ops; hpa= and src= are offsets into it (64 MiB). */
#define TRACE_TDX_SIZE (64ULL << 20)

struct trace_op {
	enum trace_opcode code;
	unsigned int line; /* 1-based line number in the trace text */
	u32 given;	   /* BIT(key) for each key on the line */
	u64 val[TK_NR_KEYS];
};

struct trace {
	struct trace_op *ops;
	size_t n_ops;
};

/* Bounds a caller may put on what a trace can ask for (0 = no bound). */
struct trace_limits {
	size_t max_ops;
	u64 max_write_len;
};

struct trace_error {
	unsigned int line;
	char msg[160];
};

/*
 * Parse a whole trace. On success fills *t (free with trace_free()) and
 * returns 0; on the first malformed line returns -EINVAL with the line
 * number and a message in *err, and *t is left empty. -ENOMEM if memory
 * runs out. text need not be NUL-terminated.
 */
int trace_parse(const char *text, size_t len, const struct trace_limits *lim,
		struct trace *t, struct trace_error *err);
void trace_free(struct trace *t);

/*
 * op as one line of trace text in buf (no newline); returns what
 * snprintf() returns. Parsing the text gives the same op.
 */
int trace_op_text(const struct trace_op *op, char *buf, size_t size);

/* A number as the format writes it (decimal or 0x hex, optional K/M/G
 * suffix); false when s[0..n) is not one or does not fit 64 bits. */
bool trace_parse_number(const char *s, size_t n, u64 *out);
/* The enum trace_key of a key name, or -1. */
int trace_key_lookup(const char *s, size_t n);
/* The enum trace_opcode of an op name, or -1. */
int trace_op_lookup(const char *s, size_t n);

/* The op's name as written in a trace ("vm", "falloc", ...). */
const char *trace_op_name(enum trace_opcode code);

struct trace_hooks {
	/* One result line (no newline) for each op, in order. */
	void (*emit)(void *arg, const struct trace_op *op, const char *text);
	/* Optional: called after each op, e.g. to check invariants. */
	void (*after_op)(void *arg, const struct trace_op *op);
	void *arg;
	/* Run the RMP model's invariant checker after each rmp* op; a
	 * broken invariant stops the run with -EIO. */
	bool check_rmp;
	/* The same for the TDX module model after each TD op. */
	bool check_tdx;
};

/*
 * Run every op of t on v, then v->ops->reset(v) so nothing outlives the
 * run. Returns 0, -ENOMEM if the interpreter's own tables cannot grow, or
 * -EIO when check_rmp or check_tdx found a broken invariant of the RMP or
 * TDX module model (the run stops there).
 */
int trace_run(const struct trace *t, struct vmm *v,
	      const struct trace_hooks *h);

#endif
