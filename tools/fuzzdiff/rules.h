/* SPDX-License-Identifier: MIT */
/*
 * tools/fuzzdiff/rules.h - the differential fuzzer's allow-list
 * (traces/fuzz-divergences; format in README.md, "make fuzz-diff"). A
 * generated trace has no fixed lines, so an entry names an op and
 * conditions on its numbers instead of a trace line; like the line
 * entries of traces/intentional-divergences, it allows exactly one native
 * result with exactly one linux result.
 */
#ifndef GMV_TOOLS_FUZZDIFF_RULES_H
#define GMV_TOOLS_FUZZDIFF_RULES_H

#include "tools/replay/trace.h"

struct rule_cond {
	int key, key2; /* key2: -1, or the second key of a sum */
	int cmp; /* '=', '!', '<', 'l' (<=), '>', 'g' (>=) */
	u64 value;
};

struct rule {
	unsigned int at; /* its line in the allow-list */
	enum trace_opcode code;
	struct rule_cond cond[4];
	unsigned int n_cond;
	char nat[80], lin[80];
	char reason[200];
	unsigned long hits;
};

struct rules {
	struct rule *r;
	size_t n;
};

/*
 * Parse the allow-list text (name: for messages). Returns 0, or -1 after
 * "NAME:LINE: what is wrong" in err.
 */
int rules_parse(const char *text, size_t len, const char *name,
		struct rules *rs, char *err, size_t err_size);
void rules_free(struct rules *rs);

/* The entry that allows op giving nat natively and lin on the other
 * backend, or NULL. */
struct rule *rules_match(struct rules *rs, const struct trace_op *op,
			 const char *nat, const char *lin);

#endif
