/* SPDX-License-Identifier: MIT */
/*
 * lib/ktap.h - the test harness shared by the payload and the host builds.
 *
 * Tests are table rows (struct kt_case) grouped into suites that may nest.
 * kt_run() prints one KTAP version 1 document: a plan, "ok N name" or
 * "not ok N name" per case ("# SKIP reason" for skips), each failed check as
 * a "# file:line: ..." diagnostic with the values compared, and finally the
 * line "N passed, N failed, N skipped" alone on a line. A suite may open
 * with diagnostics of its own (struct kt_suite.intro).
 *
 * A case passes only if it made at least one check and none failed; a case
 * that neither checks nor skips is reported as failed ("made no checks").
 */
#ifndef GMV_LIB_KTAP_H
#define GMV_LIB_KTAP_H

#include "lib/types.h"
#include "lib/errno.h"

struct kt;

struct kt_case {
	const char *name;
	void (*run)(struct kt *t);
	/* Optional. Returns NULL when the case can run here, else the reason
	 * it is skipped (e.g. "Linux host lacks KVM_X86_SW_PROTECTED_VM"). */
	const char *(*unsupported)(struct kt *t);
};

struct kt_suite {
	const char *name;
	const struct kt_case *cases;
	size_t n_cases;
	const struct kt_suite *const *children;
	size_t n_children;
	/* Handed to the cases through kt_ctx(); children inherit it when
	 * their own is NULL. */
	void *ctx;
	/* Optional: the reason the whole suite is skipped, or NULL. */
	const char *(*unsupported)(void *ctx);
	/* Optional: prints the suite's opening diagnostics with kt_diag()
	 * (e.g. "# backend: native"), right after its plan line. */
	void (*intro)(struct kt *t);
};

#define KT_CASE(fn) { .name = #fn, .run = fn }
#define KT_CASE_IF(fn, pred) { .name = #fn, .run = fn, .unsupported = pred }
#define KT_SUITE(sname, table) \
	{ .name = sname, .cases = table, .n_cases = ARRAY_SIZE(table) }

/*
 * The run's outcome in a few lines, for a place that outlives the console
 * (the payload's results variable, boot/resultvar.h): text is the summary
 * line, then "not ok PATH" (with " # note" when the result line had one)
 * for the first failed cases that fit, then "# N more failed cases" when
 * some did not; each line ends with a newline. "" until the summary.
 */
#define KT_RECORD_MAX 1024
struct kt_record {
	char text[KT_RECORD_MAX];
	/* Kept by kt_run(): the failures so far. */
	char fails[KT_RECORD_MAX];
	size_t fails_len;
	unsigned int fails_left_out;
};

struct kt_options {
	const char *filter; /* glob over "suite.child.case"; NULL = all */
	bool list;	    /* print the selected case paths, run nothing */
	/* Optional: runs one case's body, by default a plain call. The host
	 * runners of Linux-side suites put each case in a child process
	 * with a time and memory bound (plat/host/kt_isolate.h). */
	void (*run)(struct kt *t, void (*body)(struct kt *t));
	/* Optional: filled in as the run goes (struct kt_record). */
	struct kt_record *record;
};

/* What the running case has recorded so far: lets a case run in another
 * process hand its outcome back (struct kt_options.run). */
struct kt_verdict {
	unsigned int checks, failures;
	bool skipped;
	char skip_reason[160];
};

struct kt_totals {
	unsigned int passed, failed, skipped;
	unsigned int listed; /* case paths printed by a --list run */
};

/*
 * Run the suites as one KTAP document and print the summary line, or with
 * opt->list print the selected case paths, one a line, and run nothing.
 * Returns the totals; the run failed if totals.failed != 0 or nothing ran
 * (nothing listed, for a list). A filter that selects no case gets the
 * diagnostic "# no test case matches filter "GLOB"" either way.
 */
struct kt_totals kt_run(const struct kt_suite *const *suites, size_t n,
			const struct kt_options *opt);

/*
 * End the run in progress from inside it, for a watchdog that will not
 * return into it: the running case's result line is "not ok N name #
 * note" (between cases: a "# note" diagnostic), counted as one failure;
 * then the summary line, and the record filled. Returns false, printing
 * nothing, when no kt_run() is in progress.
 */
bool kt_abort(const char *note);

/* Does "glob" (with * and ?) match "text" whole? */
bool kt_glob_match(const char *glob, const char *text);

void *kt_ctx(struct kt *t);
const char *kt_case_name(struct kt *t);

/* Record one check. On failure prints "# file:line: <message>". */
bool kt_check(struct kt *t, bool ok, const char *file, int line,
	      const char *fmt, ...) __printf(5, 6);
/* Mark the running case skipped with a reason (a failure still wins). */
void kt_skip(struct kt *t, const char *fmt, ...) __printf(2, 3);
/* Read or replace the running case's verdict (struct kt_verdict). */
void kt_verdict_get(struct kt *t, struct kt_verdict *v);
void kt_verdict_set(struct kt *t, const struct kt_verdict *v);
/* Fail the running case with a note on its result line:
 * "not ok N name # note" (e.g. "timed out after 60 s"). */
void kt_fail_note(struct kt *t, const char *fmt, ...) __printf(2, 3);
/* A "# ..." diagnostic line inside the running suite. */
void kt_diag(struct kt *t, const char *fmt, ...) __printf(2, 3);

#define KT_EXPECT(t, cond) \
	kt_check(t, !!(cond), __FILE__, __LINE__, "expected %s", #cond)

/*
 * The comparisons compare like C without its surprises: two signed operands
 * as signed (s64), two unsigned ones as unsigned (u64), where types below
 * int count as signed, as C promotes them. Mixing a signed and an unsigned
 * operand is a build error, because C would make the signed one unsigned
 * and, e.g., "handle >= 0" could then never fail. The one mix allowed is a
 * constant that has the same value in both types (0..S64_MAX, e.g. 0 or
 * sizeof(x)): the comparison takes the other operand's signedness. An
 * unsigned value ordered against 0 (x >= 0, x < 0, 0 <= x) is a build
 * error too: it can never fail (or never pass). Cast an operand to
 * compare anything else.
 */
#define KT_SIGNED_(x)                                                       \
	_Generic((x), bool: 1, char: 1, signed char: 1, unsigned char: 1,  \
		 short: 1, unsigned short: 1, int: 1, long: 1, long long: 1, \
		 default: 0)
/* 1 when x is an integer constant expression (folds, nothing evaluated). */
#define KT_IS_CONST_(x)                                                     \
	(sizeof(int) ==                                                     \
	 sizeof(*(8 ? ((void *)((long long)(x) * 0ll)) : (int *)8)))
/* x as a constant for the tests below; "other" when x is no constant. */
#define KT_CONST_OR_(x, other) \
	__builtin_choose_expr(KT_IS_CONST_(x), (x), other)
/* 1 when x is a constant in 0..S64_MAX, the same in s64 and in u64. */
#define KT_BOTH_WAYS_(x) \
	(KT_IS_CONST_(x) && !((unsigned long long)KT_CONST_OR_(x, -1) >> 63))
#define KT_ZERO_(x) (KT_IS_CONST_(x) && KT_CONST_OR_(x, 1) == 0)
#define KT_SIGNS_AGREE_(a, b)                                              \
	(KT_SIGNED_(a) == KT_SIGNED_(b) || KT_BOTH_WAYS_(a) ||             \
	 KT_BOTH_WAYS_(b))
/* Compare signed? The constant of a mixed pair follows the other side. */
#define KT_AS_SIGNED_(a, b)                                                \
	(KT_SIGNED_(a) == KT_SIGNED_(b) ? KT_SIGNED_(a) :                  \
	 KT_BOTH_WAYS_(a)		? KT_SIGNED_(b) :                  \
					  KT_SIGNED_(a))

/* always: 1 when the comparison's outcome is known before it runs. */
#define KT_EXPECT_OP_(t, a, op, b, always)                                  \
	({                                                                  \
		enum { kt_signs_agree_ = KT_SIGNS_AGREE_(a, b),             \
		       kt_can_fail_ = !(always) };                          \
		_Static_assert(kt_signs_agree_,                             \
			       "signed compared with unsigned: " #a         \
			       " " #op " " #b);                             \
		_Static_assert(kt_can_fail_,                                \
			       "unsigned ordered against 0: " #a " " #op    \
			       " " #b);                                     \
		u64 a_ = (u64)(a), b_ = (u64)(b);                           \
		bool ok_ = KT_AS_SIGNED_(a, b) ? (s64)a_ op (s64)b_ :       \
						 a_ op b_;                  \
		kt_check(t, ok_, __FILE__, __LINE__,                        \
			 "expected %s " #op " %s, got 0x%llx (%lld) vs "    \
			 "0x%llx (%lld)",                                   \
			 #a, #b, (unsigned long long)a_, (long long)a_,     \
			 (unsigned long long)b_, (long long)b_);            \
	})
#define KT_EXPECT_EQ(t, a, b) KT_EXPECT_OP_(t, a, ==, b, 0)
#define KT_EXPECT_NE(t, a, b) KT_EXPECT_OP_(t, a, !=, b, 0)
#define KT_EXPECT_LT(t, a, b) \
	KT_EXPECT_OP_(t, a, <, b, !KT_AS_SIGNED_(a, b) && KT_ZERO_(b))
#define KT_EXPECT_LE(t, a, b) \
	KT_EXPECT_OP_(t, a, <=, b, !KT_AS_SIGNED_(a, b) && KT_ZERO_(a))
#define KT_EXPECT_GE(t, a, b) \
	KT_EXPECT_OP_(t, a, >=, b, !KT_AS_SIGNED_(a, b) && KT_ZERO_(b))

/* expr returns 0 or -errno; err is 0 or a positive errno (EINVAL). */
#define KT_EXPECT_ERRNO(t, expr, err)                                      \
	({                                                                 \
		long r_ = (long)(expr);                                    \
		long e_ = -(long)(err);                                    \
		kt_check(t, r_ == e_, __FILE__, __LINE__,                  \
			 "%s: expected %s, got %s (%ld)", #expr,           \
			 errno_name((int)e_), errno_name((int)r_), r_);    \
	})
#define KT_EXPECT_OK(t, expr) KT_EXPECT_ERRNO(t, expr, 0)

#define KT_EXPECT_MEM_EQ(t, a, b, n)                                       \
	kt_check(t, memcmp(a, b, n) == 0, __FILE__, __LINE__,             \
		 "expected %zu bytes of %s == %s", (size_t)(n), #a, #b)

#define KT_EXPECT_STR_EQ(t, a, b)                                          \
	({                                                                 \
		const char *sa_ = (a), *sb_ = (b);                         \
		kt_check(t, strcmp(sa_, sb_) == 0, __FILE__, __LINE__,     \
			 "expected %s == %s: \"%s\" vs \"%s\"", #a, #b,    \
			 sa_, sb_);                                        \
	})

/* Fatal forms: end the case (which must return void) on failure. */
#define KT_ASSERT(t, cond) do { if (!KT_EXPECT(t, cond)) return; } while (0)
#define KT_ASSERT_EQ(t, a, b) do { if (!KT_EXPECT_EQ(t, a, b)) return; } while (0)
#define KT_ASSERT_OK(t, expr) do { if (!KT_EXPECT_OK(t, expr)) return; } while (0)

#endif
