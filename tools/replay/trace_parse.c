// SPDX-License-Identifier: MIT
/*
 * tools/replay/trace_parse.c - trace format v1 text -> struct trace.
 * The whole text is checked before anything runs; the first malformed
 * line is reported with its number and nothing is returned.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/snp/rmp.h"
#include "hv/tdx/tdx_module.h"
#include "tools/replay/trace.h"

#define U32_MAX 0xffffffffULL
#define U64_MAX (~0ULL)

static const char *const key_names[TK_NR_KEYS] = {
	[TK_ID] = "id",	      [TK_TYPE] = "type",     [TK_VM] = "vm",
	[TK_GMEM] = "gmem",   [TK_SIZE] = "size",     [TK_FLAGS] = "flags",
	[TK_SLOT] = "slot",   [TK_GPA] = "gpa",	      [TK_OFFSET] = "offset",
	[TK_MODE] = "mode",   [TK_LEN] = "len",	      [TK_ATTRS] = "attrs",
	[TK_BYTE] = "byte",   [TK_SPA] = "spa",	      [TK_ASSIGNED] = "assigned",
	[TK_ASID] = "asid",   [TK_IMMUTABLE] = "immutable",
	[TK_VALIDATE] = "validate", [TK_VMPL] = "vmpl",
	[TK_PERMS] = "perms", [TK_VMSA] = "vmsa",
	[TK_TD] = "td",	      [TK_LEVEL] = "level",   [TK_HPA] = "hpa",
	[TK_SRC] = "src",     [TK_VCPUS] = "vcpus",   [TK_INIT] = "init",
	[TK_VCPU] = "vcpu",
};

struct key_rule {
	enum trace_key key;
	bool required;
	u64 max;
};

#define REQ(k, m) { .key = k, .required = true, .max = m }
#define OPT(k, m) { .key = k, .required = false, .max = m }

static const struct op_rule {
	const char *name;
	enum trace_opcode code;
	struct key_rule keys[8];
	size_t n_keys;
} op_rules[] = {
	{ "vm", TOP_VM, { REQ(TK_ID, U64_MAX), OPT(TK_TYPE, U64_MAX) }, 2 },
	{ "gmem", TOP_GMEM,
	  { REQ(TK_ID, U64_MAX), REQ(TK_VM, U64_MAX), REQ(TK_SIZE, U64_MAX),
	    OPT(TK_FLAGS, U64_MAX) }, 4 },
	/* slot and flags are the u32 fields of the memslot struct. */
	{ "slot", TOP_SLOT,
	  { REQ(TK_VM, U64_MAX), REQ(TK_SLOT, U32_MAX), REQ(TK_GPA, U64_MAX),
	    REQ(TK_SIZE, U64_MAX), OPT(TK_GMEM, U64_MAX),
	    OPT(TK_OFFSET, U64_MAX), OPT(TK_FLAGS, U32_MAX) }, 7 },
	/* mode is fallocate's int argument. */
	{ "falloc", TOP_FALLOC,
	  { REQ(TK_GMEM, U64_MAX), REQ(TK_MODE, U32_MAX),
	    REQ(TK_OFFSET, U64_MAX), REQ(TK_LEN, U64_MAX) }, 4 },
	{ "attr", TOP_ATTR,
	  { REQ(TK_VM, U64_MAX), REQ(TK_GPA, U64_MAX), REQ(TK_SIZE, U64_MAX),
	    REQ(TK_ATTRS, U64_MAX), OPT(TK_FLAGS, U64_MAX) }, 5 },
	{ "write", TOP_WRITE,
	  { REQ(TK_GMEM, U64_MAX), REQ(TK_OFFSET, U64_MAX),
	    REQ(TK_BYTE, 0xff), OPT(TK_LEN, U64_MAX) }, 4 },
	{ "read", TOP_READ,
	  { REQ(TK_GMEM, U64_MAX), REQ(TK_OFFSET, U64_MAX),
	    OPT(TK_LEN, U64_MAX) }, 3 },
	/* Exactly one of the two; checked after the keys. */
	{ "close", TOP_CLOSE,
	  { OPT(TK_GMEM, U64_MAX), OPT(TK_VM, U64_MAX) }, 2 },
	/* The RMP ops: 0|1 flags; asid is RMPUPDATE's 32-bit field, vmpl
	 * and perms RMPADJUST's RDX bytes 0 and 1; size 4K or 2M (checked
	 * after the keys). */
	{ "rmpupdate", TOP_RMPUPDATE,
	  { REQ(TK_SPA, U64_MAX), REQ(TK_ASSIGNED, 1), REQ(TK_ASID, U32_MAX),
	    REQ(TK_GPA, U64_MAX), REQ(TK_SIZE, U64_MAX),
	    OPT(TK_IMMUTABLE, 1) }, 6 },
	{ "psmash", TOP_PSMASH, { REQ(TK_SPA, U64_MAX) }, 1 },
	{ "pvalidate", TOP_PVALIDATE,
	  { REQ(TK_ASID, U32_MAX), REQ(TK_GPA, U64_MAX),
	    REQ(TK_SPA, U64_MAX), REQ(TK_SIZE, U64_MAX),
	    REQ(TK_VALIDATE, 1) }, 5 },
	{ "rmpadjust", TOP_RMPADJUST,
	  { REQ(TK_ASID, U32_MAX), REQ(TK_GPA, U64_MAX),
	    REQ(TK_SPA, U64_MAX), REQ(TK_SIZE, U64_MAX),
	    REQ(TK_VMPL, 0xff), REQ(TK_PERMS, 0xff), OPT(TK_VMSA, 1) }, 7 },
	{ "rmpread", TOP_RMPREAD, { REQ(TK_SPA, U64_MAX) }, 1 },
	/* The TDX module ops: level is RCX bits 2:0 of the leaf's page
	 * info (which levels a leaf takes is the module's answer), vcpus at
	 * most the model's TDX_MAX_VCPUS, init 0|1, vcpu a 32-bit index. */
	{ "td", TOP_TD,
	  { REQ(TK_ID, U64_MAX), OPT(TK_VCPUS, TDX_MAX_VCPUS),
	    OPT(TK_INIT, 1) }, 3 },
	{ "sept_add", TOP_SEPT_ADD,
	  { REQ(TK_TD, U64_MAX), REQ(TK_GPA, U64_MAX), REQ(TK_LEVEL, 7),
	    REQ(TK_HPA, U64_MAX) }, 4 },
	{ "page_aug", TOP_PAGE_AUG,
	  { REQ(TK_TD, U64_MAX), REQ(TK_GPA, U64_MAX), REQ(TK_LEVEL, 7),
	    REQ(TK_HPA, U64_MAX) }, 4 },
	{ "page_add", TOP_PAGE_ADD,
	  { REQ(TK_TD, U64_MAX), REQ(TK_GPA, U64_MAX), REQ(TK_HPA, U64_MAX),
	    REQ(TK_SRC, U64_MAX) }, 4 },
	{ "block", TOP_BLOCK,
	  { REQ(TK_TD, U64_MAX), REQ(TK_GPA, U64_MAX), REQ(TK_LEVEL, 7) },
	  3 },
	{ "unblock", TOP_UNBLOCK,
	  { REQ(TK_TD, U64_MAX), REQ(TK_GPA, U64_MAX), REQ(TK_LEVEL, 7) },
	  3 },
	{ "track", TOP_TRACK, { REQ(TK_TD, U64_MAX) }, 1 },
	{ "vcpu_exit", TOP_VCPU_EXIT,
	  { REQ(TK_TD, U64_MAX), REQ(TK_VCPU, U32_MAX) }, 2 },
	{ "remove", TOP_REMOVE,
	  { REQ(TK_TD, U64_MAX), REQ(TK_GPA, U64_MAX), REQ(TK_LEVEL, 7) },
	  3 },
	{ "promote", TOP_PROMOTE,
	  { REQ(TK_TD, U64_MAX), REQ(TK_GPA, U64_MAX), REQ(TK_LEVEL, 7) },
	  3 },
	{ "demote", TOP_DEMOTE,
	  { REQ(TK_TD, U64_MAX), REQ(TK_GPA, U64_MAX), REQ(TK_LEVEL, 7),
	    REQ(TK_HPA, U64_MAX) }, 4 },
	{ "reclaim", TOP_RECLAIM, { REQ(TK_HPA, U64_MAX) }, 1 },
	{ "accept", TOP_ACCEPT,
	  { REQ(TK_TD, U64_MAX), REQ(TK_VCPU, U32_MAX), REQ(TK_GPA, U64_MAX),
	    REQ(TK_LEVEL, 7) }, 4 },
	{ "mr_extend", TOP_MR_EXTEND,
	  { REQ(TK_TD, U64_MAX), REQ(TK_GPA, U64_MAX) }, 2 },
	{ "finalize", TOP_FINALIZE, { REQ(TK_TD, U64_MAX) }, 1 },
};

static const struct op_rule *find_op(const char *s, size_t n);

int trace_key_lookup(const char *s, size_t n)
{
	for (int k = 0; k < TK_NR_KEYS; k++)
		if (strlen(key_names[k]) == n && !memcmp(key_names[k], s, n))
			return k;
	return -1;
}

int trace_op_lookup(const char *s, size_t n)
{
	const struct op_rule *r = find_op(s, n);

	return r ? (int)r->code : -1;
}

const char *trace_op_name(enum trace_opcode code)
{
	for (size_t i = 0; i < ARRAY_SIZE(op_rules); i++)
		if (op_rules[i].code == code)
			return op_rules[i].name;
	return "?";
}

static int fail(struct trace_error *err, unsigned int line,
		const char *fmt, ...) __printf(3, 4);
static int fail(struct trace_error *err, unsigned int line,
		const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A printable copy of a token for messages (at most 40 characters). */
static const char *shown(const char *s, size_t n, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < n && i < size - 1 && i < 40; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int digit_value(char c, unsigned int base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < (int)base ? d : -1;
}

/* Decimal or 0x hex, with an optional K, M or G suffix (x1024^n). */
bool trace_parse_number(const char *s, size_t n, u64 *out)
{
	unsigned int base = 10, shift = 0;
	u64 v = 0;

	if (n && (s[n - 1] == 'K' || s[n - 1] == 'M' || s[n - 1] == 'G')) {
		shift = s[n - 1] == 'K' ? 10 : s[n - 1] == 'M' ? 20 : 30;
		n--;
	}
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		n -= 2;
	}
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = digit_value(s[i], base);

		if (d < 0 || v > (U64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (shift && v > (U64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

static bool parse_vm_type(const char *s, size_t n, u64 *out)
{
	if (n == 7 && !memcmp(s, "default", 7))
		*out = GMV_VM_DEFAULT;
	else if (n == 12 && !memcmp(s, "sw_protected", 12))
		*out = GMV_VM_SW_PROTECTED;
	else if (n == 3 && !memcmp(s, "snp", 3))
		*out = GMV_VM_SNP;
	else if (n == 3 && !memcmp(s, "tdx", 3))
		*out = GMV_VM_TDX;
	else
		return false;
	return true;
}

static const struct op_rule *find_op(const char *s, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(op_rules); i++)
		if (strlen(op_rules[i].name) == n &&
		    !memcmp(op_rules[i].name, s, n))
			return &op_rules[i];
	return NULL;
}

static const struct key_rule *find_key(const struct op_rule *r,
				       const char *s, size_t n)
{
	for (size_t i = 0; i < r->n_keys; i++) {
		const char *name = key_names[r->keys[i].key];

		if (strlen(name) == n && !memcmp(name, s, n))
			return &r->keys[i];
	}
	return NULL;
}

/* One key=value token of an op line. */
static int parse_arg(const struct op_rule *r, struct trace_op *op,
		     const char *tok, size_t n, struct trace_error *err)
{
	const char *eq = memchr(tok, '=', n);
	const struct key_rule *k;
	char b1[48], b2[48];
	size_t kn, vn;
	const char *val;
	bool ok;

	if (!eq)
		return fail(err, op->line, "expected key=value, got '%s'",
			    shown(tok, n, b1, sizeof(b1)));
	kn = eq - tok;
	val = eq + 1;
	vn = n - kn - 1;
	k = find_key(r, tok, kn);
	if (!k)
		return fail(err, op->line, "unknown key '%s' for '%s'",
			    shown(tok, kn, b1, sizeof(b1)), r->name);
	if (op->given & BIT(k->key))
		return fail(err, op->line, "key '%s' given twice",
			    key_names[k->key]);
	if (k->key == TK_TYPE) {
		ok = parse_vm_type(val, vn, &op->val[k->key]);
		if (!ok)
			return fail(err, op->line,
				    "bad VM type '%s' (default, "
				    "sw_protected, snp or tdx)",
				    shown(val, vn, b1, sizeof(b1)));
	} else {
		ok = trace_parse_number(val, vn, &op->val[k->key]);
		if (!ok)
			return fail(err, op->line,
				    "bad number '%s' for '%s' (decimal or 0x "
				    "hex, optional K/M/G suffix)",
				    shown(val, vn, b1, sizeof(b1)),
				    shown(tok, kn, b2, sizeof(b2)));
		if (op->val[k->key] > k->max)
			return fail(err, op->line,
				    "'%s' is %#llx, above its maximum %#llx",
				    key_names[k->key],
				    (unsigned long long)op->val[k->key],
				    (unsigned long long)k->max);
	}
	op->given |= BIT(k->key);
	return 0;
}

static int check_keys(const struct op_rule *r, const struct trace_op *op,
		      const struct trace_limits *lim, struct trace_error *err)
{
	for (size_t i = 0; i < r->n_keys; i++)
		if (r->keys[i].required && !(op->given & BIT(r->keys[i].key)))
			return fail(err, op->line, "'%s' needs '%s='", r->name,
				    key_names[r->keys[i].key]);
	if (op->code == TOP_CLOSE &&
	    !(op->given & BIT(TK_GMEM)) == !(op->given & BIT(TK_VM)))
		return fail(err, op->line,
			    "'close' needs exactly one of 'gmem=' and 'vm='");
	if ((op->code == TOP_RMPUPDATE || op->code == TOP_PVALIDATE ||
	     op->code == TOP_RMPADJUST) &&
	    op->val[TK_SIZE] != RMP_PAGE_4K && op->val[TK_SIZE] != RMP_PAGE_2M)
		return fail(err, op->line,
			    "'%s' size %#llx is not a page size (4K or 2M)",
			    r->name, (unsigned long long)op->val[TK_SIZE]);
	if ((op->code == TOP_WRITE || op->code == TOP_READ) &&
	    op->val[TK_LEN] > TRACE_LEN_MAX)
		return fail(err, op->line,
			    "'%s' len %#llx is above the bound of 1 MiB (%#llx)"
			    " per op",
			    r->name, (unsigned long long)op->val[TK_LEN],
			    TRACE_LEN_MAX);
	if (op->code == TOP_WRITE && lim && lim->max_write_len &&
	    op->val[TK_LEN] > lim->max_write_len)
		return fail(err, op->line, "write len above the limit %llu",
			    (unsigned long long)lim->max_write_len);
	return 0;
}

/* Parse one line (without its newline). *op is set when it holds an op. */
static int parse_line(const char *s, size_t n, unsigned int line,
		      const struct trace_limits *lim, struct trace_op *op,
		      bool *has_op, struct trace_error *err)
{
	const struct op_rule *r = NULL;
	const char *hash = memchr(s, '#', n);
	char buf[48];
	int ret;

	if (hash)
		n = hash - s;
	*has_op = false;
	for (size_t i = 0; i < n;) {
		size_t start, len;

		while (i < n && is_space(s[i]))
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && !is_space(s[i]))
			i++;
		len = i - start;
		if (!r) {
			r = find_op(s + start, len);
			if (!r)
				return fail(err, line, "unknown op '%s'",
					    shown(s + start, len, buf,
						  sizeof(buf)));
			memset(op, 0, sizeof(*op));
			op->code = r->code;
			op->line = line;
			continue;
		}
		ret = parse_arg(r, op, s + start, len, err);
		if (ret)
			return ret;
	}
	if (!r)
		return 0;
	if (op->code == TOP_WRITE || op->code == TOP_READ)
		if (!(op->given & BIT(TK_LEN)))
			op->val[TK_LEN] = 1;
	ret = check_keys(r, op, lim, err);
	*has_op = !ret;
	return ret;
}

int trace_parse(const char *text, size_t len, const struct trace_limits *lim,
		struct trace *t, struct trace_error *err)
{
	size_t cap = 0, pos = 0;
	unsigned int line = 0;
	int ret = 0;

	t->ops = NULL;
	t->n_ops = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		struct trace_op op;
		bool has_op;

		line++;
		ret = parse_line(text + pos, n, line, lim, &op, &has_op, err);
		if (ret)
			break;
		pos += n + 1;
		if (!has_op)
			continue;
		if (lim && lim->max_ops && t->n_ops == lim->max_ops) {
			ret = fail(err, line, "more than %zu ops",
				   lim->max_ops);
			break;
		}
		if (t->n_ops == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct trace_op *p =
				realloc(t->ops, ncap * sizeof(*p));

			if (!p) {
				fail(err, line, "out of memory");
				ret = -ENOMEM;
				break;
			}
			t->ops = p;
			cap = ncap;
		}
		t->ops[t->n_ops++] = op;
	}
	if (ret)
		trace_free(t);
	return ret;
}

/*
 * One op as a line of the format (no newline): the keys given, in the
 * order of enum trace_key, numbers in hex; write and read always show
 * len. trace_parse() of the text gives the op back.
 */
int trace_op_text(const struct trace_op *op, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s", trace_op_name(op->code));

	for (int k = 0; k < TK_NR_KEYS; k++) {
		bool shown = op->given & BIT(k);
		u64 v = op->val[k];

		if (k == TK_LEN &&
		    (op->code == TOP_WRITE || op->code == TOP_READ))
			shown = true;
		if (!shown || n < 0 || (size_t)n >= size)
			continue;
		if (k == TK_TYPE)
			n += snprintf(buf + n, size - n, " type=%s",
				      v == GMV_VM_SW_PROTECTED ? "sw_protected"
				      : v == GMV_VM_SNP	       ? "snp"
				      : v == GMV_VM_TDX	       ? "tdx"
							       : "default");
		else
			n += snprintf(buf + n, size - n, " %s=%#llx",
				      key_names[k], (unsigned long long)v);
	}
	return n;
}

void trace_free(struct trace *t)
{
	free(t->ops);
	t->ops = NULL;
	t->n_ops = 0;
}
