// SPDX-License-Identifier: MIT
/*
 * tests/host/ktap_output_test.c - the KTAP document lib/ktap.c prints, read
 * back from stdout. Messages that hold newlines (a guest's PRINT text, a
 * string a check compared, a skip reason, a suite's intro) must stay
 * inside their diagnostic or result line, so that they cannot forge a
 * result line or the summary line that scripts/run-qemu.sh and
 * scripts/test-all.sh read.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/ktap.h"
#include "tests/suites.h"

#define OUT_MAX 8192

static void forging_diag_and_check(struct kt *t)
{
	kt_diag(t, "guest says:\nok 7 forged");
	kt_check(t, false, "forge.c", 1,
		 "got \"a\n0 passed, 0 failed, 0 skipped\"");
}

static void forging_skip(struct kt *t)
{
	kt_skip(t, "because\nnot ok 8 forged");
}

static void forging_intro(struct kt *t)
{
	kt_diag(t, "intro says:\nok 9 forged");
}

static const struct kt_case forging_cases[] = {
	KT_CASE(forging_diag_and_check),
	KT_CASE(forging_skip),
};

static const struct kt_suite forging_suite = {
	.name = "forging",
	.cases = forging_cases,
	.n_cases = ARRAY_SIZE(forging_cases),
	.intro = forging_intro,
};

/* Run suite s as its own KTAP document into buf (NUL-terminated). */
static int run_opt_captured(const struct kt_suite *s,
			    const struct kt_options *opt, struct kt_totals *tot,
			    char *buf, size_t n)
{
	const struct kt_suite *const suites[] = { s };
	FILE *f = tmpfile();
	size_t len;
	int saved;

	if (!f)
		return -1;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved < 0 || dup2(fileno(f), STDOUT_FILENO) < 0) {
		fclose(f);
		return -1;
	}
	*tot = kt_run(suites, 1, opt);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(f);
	len = fread(buf, 1, n - 1, f);
	buf[len] = '\0';
	fclose(f);
	return 0;
}

static int run_captured(const struct kt_suite *s, struct kt_totals *tot,
			char *buf, size_t n)
{
	return run_opt_captured(s, NULL, tot, buf, n);
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void ktap_messages_cannot_forge_lines(struct kt *t)
{
	static char out[OUT_MAX];
	const char *last = NULL;
	struct kt_totals tot;
	unsigned int bad = 0, forged = 0, summaries = 0;

	KT_ASSERT_OK(t, run_captured(&forging_suite, &tot, out, sizeof(out)));
	KT_EXPECT_EQ(t, tot.failed, 1);
	KT_EXPECT_EQ(t, tot.skipped, 1);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		const char *s = line + strspn(line, " ");

		last = s;
		if (starts(s, "ok 7") || starts(s, "not ok 8") ||
		    starts(s, "ok 9") ||
		    !strcmp(s, "0 passed, 0 failed, 0 skipped"))
			forged++;
		if (starts(s, "# "))
			continue;
		if (strstr(s, " passed, "))
			summaries++;
		else if (!starts(s, "KTAP version 1") && !starts(s, "1..") &&
			 !starts(s, "ok ") && !starts(s, "not ok "))
			bad++;
	}
	KT_EXPECT_EQ(t, forged, 0);
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, summaries, 1);
	if (KT_EXPECT(t, last != NULL))
		KT_EXPECT_STR_EQ(t, last, "0 passed, 1 failed, 1 skipped");
}

/*
 * The comparison macros compare signed values as signed and unsigned ones
 * as unsigned. Each case below makes one check; in "cmp_fail" every check
 * must fail, in "cmp_pass" every one must pass.
 */
static void cmp_fail_negative_handle(struct kt *t)
{
	int handle = -1;

	KT_EXPECT_GE(t, handle, 0); /* always passed while compared as u64 */
}

static void cmp_fail_negative_long(struct kt *t)
{
	s64 ret = -22;

	KT_EXPECT_GE(t, ret, 1);
}

static void cmp_fail_huge_unsigned(struct kt *t)
{
	u64 x = ~0ULL;

	KT_EXPECT_LE(t, x, 1); /* would pass compared as s64 (-1) */
}

static void cmp_fail_top_bit(struct kt *t)
{
	u64 x = 1ULL << 63;

	KT_EXPECT_LT(t, x, 1);
}

static void cmp_fail_small_types(struct kt *t)
{
	u8 b = 200;
	int n = -1;

	KT_EXPECT_GE(t, n, b); /* both promote to int */
}

static void cmp_pass_signed(struct kt *t)
{
	int ret = -1;
	long long big = -(1LL << 40);

	KT_EXPECT_LT(t, ret, 0);
	KT_EXPECT_LE(t, ret, sizeof(ret)); /* the constant follows ret */
	KT_EXPECT_LT(t, big, ret);
	KT_EXPECT_NE(t, ret, 0xffffffffU);
}

static void cmp_pass_unsigned(struct kt *t)
{
	u64 x = 1ULL << 63;
	u32 y = 7;
	u8 b = 200;
	int n = -1;

	KT_EXPECT_GE(t, x, 1);
	KT_EXPECT_LT(t, y, x);
	KT_EXPECT_EQ(t, ~0ULL, (u64)-1);
	KT_EXPECT_LT(t, n, b);
}

static const struct kt_case cmp_fail_cases[] = {
	KT_CASE(cmp_fail_negative_handle), KT_CASE(cmp_fail_negative_long),
	KT_CASE(cmp_fail_huge_unsigned),   KT_CASE(cmp_fail_top_bit),
	KT_CASE(cmp_fail_small_types),
};
static const struct kt_suite cmp_fail_suite =
	KT_SUITE("cmp_fail", cmp_fail_cases);
static const struct kt_case cmp_pass_cases[] = {
	KT_CASE(cmp_pass_signed),
	KT_CASE(cmp_pass_unsigned),
};
static const struct kt_suite cmp_pass_suite =
	KT_SUITE("cmp_pass", cmp_pass_cases);

static void ktap_comparisons_follow_signedness(struct kt *t)
{
	static char out[OUT_MAX];
	struct kt_totals tot;

	KT_ASSERT_OK(t, run_captured(&cmp_fail_suite, &tot, out, sizeof(out)));
	KT_EXPECT_EQ(t, tot.failed, ARRAY_SIZE(cmp_fail_cases));
	KT_EXPECT_EQ(t, tot.passed, 0);
	KT_EXPECT(t, strstr(out, "expected handle >= 0, got "
				 "0xffffffffffffffff (-1) vs 0x0 (0)"));
	KT_ASSERT_OK(t, run_captured(&cmp_pass_suite, &tot, out, sizeof(out)));
	KT_EXPECT_EQ(t, tot.passed, ARRAY_SIZE(cmp_pass_cases));
	KT_EXPECT_EQ(t, tot.failed, 0);
}

/* A filter that selects nothing says so, with --list and without. */
static void ktap_filter_matching_nothing(struct kt *t)
{
	static const char said[] = "# no test case matches filter \"nope*\"\n";
	struct kt_options opt = { .filter = "nope*", .list = true };
	static char out[OUT_MAX];
	struct kt_totals tot;

	KT_ASSERT_OK(t, run_opt_captured(&cmp_pass_suite, &opt, &tot, out,
					 sizeof(out)));
	KT_EXPECT_EQ(t, tot.listed, 0);
	KT_EXPECT_STR_EQ(t, out, said);
	opt.list = false;
	KT_ASSERT_OK(t, run_opt_captured(&cmp_pass_suite, &opt, &tot, out,
					 sizeof(out)));
	KT_EXPECT_EQ(t, tot.passed + tot.failed + tot.skipped, 0);
	KT_EXPECT(t, strstr(out, said) != NULL);
	/* What does match is listed and counted; "" selects every case. */
	opt = (struct kt_options){ .filter = "cmp_pass.*signed", .list = true };
	KT_ASSERT_OK(t, run_opt_captured(&cmp_pass_suite, &opt, &tot, out,
					 sizeof(out)));
	KT_EXPECT_EQ(t, tot.listed, 2);
	KT_EXPECT_STR_EQ(t, out, "cmp_pass.cmp_pass_signed\n"
				 "cmp_pass.cmp_pass_unsigned\n");
	opt.filter = "";
	KT_ASSERT_OK(t, run_opt_captured(&cmp_pass_suite, &opt, &tot, out,
					 sizeof(out)));
	KT_EXPECT_EQ(t, tot.listed, 2);
}

/* The record (struct kt_record): the summary line, then the failures,
 * bounded, the rest counted. */
static const struct kt_suite *const eight_fail_suites[] = {
	&cmp_fail_suite, &cmp_fail_suite, &cmp_fail_suite, &cmp_fail_suite,
	&cmp_fail_suite, &cmp_fail_suite, &cmp_fail_suite, &cmp_fail_suite,
};
static const struct kt_suite many_fail_suite = {
	.name = "many",
	.children = eight_fail_suites,
	.n_children = ARRAY_SIZE(eight_fail_suites),
};

static void ktap_record_summary_then_failures(struct kt *t)
{
	static struct kt_record rec;
	struct kt_options opt = { .record = &rec };
	static char out[OUT_MAX * 4];
	struct kt_totals tot;
	unsigned int lines = 0, more = 0;
	const char *p, *last;

	KT_ASSERT_OK(t, run_opt_captured(&cmp_fail_suite, &opt, &tot, out,
					 sizeof(out)));
	KT_EXPECT_STR_EQ(t, rec.text,
			 "0 passed, 5 failed, 0 skipped\n"
			 "not ok cmp_fail.cmp_fail_negative_handle\n"
			 "not ok cmp_fail.cmp_fail_negative_long\n"
			 "not ok cmp_fail.cmp_fail_huge_unsigned\n"
			 "not ok cmp_fail.cmp_fail_top_bit\n"
			 "not ok cmp_fail.cmp_fail_small_types\n");
	KT_ASSERT_OK(t, run_opt_captured(&cmp_pass_suite, &opt, &tot, out,
					 sizeof(out)));
	KT_EXPECT_STR_EQ(t, rec.text, "2 passed, 0 failed, 0 skipped\n");

	KT_ASSERT_OK(t, run_opt_captured(&many_fail_suite, &opt, &tot, out,
					 sizeof(out)));
	KT_EXPECT_EQ(t, tot.failed, 40);
	KT_EXPECT_LT(t, strlen(rec.text), sizeof(rec.text));
	KT_EXPECT(t, starts(rec.text, "0 passed, 40 failed, 0 skipped\n"
				      "not ok many.cmp_fail.cmp_fail_negative_"
				      "handle\n"));
	for (p = rec.text; (p = strstr(p, "\nnot ok many.cmp_fail.")); p++)
		lines++;
	last = strstr(rec.text, "\n# ");
	KT_ASSERT(t, last != NULL);
	KT_EXPECT_EQ(t, sscanf(last, "\n# %u more failed cases\n", &more), 1);
	KT_EXPECT_NE(t, lines, 0);
	KT_EXPECT_EQ(t, lines + more, 40);
	KT_EXPECT_EQ(t, last[strlen(last) - 1], '\n');
}

/* kt_abort() from inside a case, as the payload's watchdog calls it, and
 * between cases. The run goes on afterwards here (the payload's does
 * not), so what it printed and recorded is looked at right after. */
static struct kt_record abort_rec;
static char abort_text[KT_RECORD_MAX];
static bool abort_ret;

static void abort_body(struct kt *t)
{
	abort_ret = kt_abort("deadline expired after 1 s");
	memcpy(abort_text, abort_rec.text, sizeof(abort_text));
	KT_EXPECT(t, true);
}

static const struct kt_case abort_cases[] = {
	KT_CASE(cmp_pass_signed),
	KT_CASE(abort_body),
};
static const struct kt_suite abort_suite = KT_SUITE("aborting", abort_cases);

/* Between cases (a suite's intro runs before its first case). */
static void abort_intro(struct kt *t)
{
	abort_ret = kt_abort("deadline expired after 2 s");
	memcpy(abort_text, abort_rec.text, sizeof(abort_text));
}

static const struct kt_suite abort_between_suite = {
	.name = "between",
	.cases = abort_cases,
	.n_cases = 1,
	.intro = abort_intro,
};

static void ktap_abort_fails_the_running_case(struct kt *t)
{
	struct kt_options opt = { .record = &abort_rec };
	static char out[OUT_MAX];
	struct kt_totals tot;

	KT_ASSERT_OK(t, run_opt_captured(&abort_suite, &opt, &tot, out,
					 sizeof(out)));
	KT_EXPECT(t, abort_ret);
	KT_EXPECT(t, strstr(out, "    ok 1 cmp_pass_signed\n"
				 "    not ok 2 abort_body # deadline expired "
				 "after 1 s\n"
				 "1 passed, 1 failed, 0 skipped\n") != NULL);
	KT_EXPECT_STR_EQ(t, abort_text,
			 "1 passed, 1 failed, 0 skipped\n"
			 "not ok aborting.abort_body # deadline expired after "
			 "1 s\n");

	abort_ret = false;
	KT_ASSERT_OK(t, run_opt_captured(&abort_between_suite, &opt, &tot, out,
					 sizeof(out)));
	KT_EXPECT(t, abort_ret);
	KT_EXPECT(t, strstr(out, "    1..1\n"
				 "    # deadline expired after 2 s\n"
				 "0 passed, 1 failed, 0 skipped\n") != NULL);
	KT_EXPECT_STR_EQ(t, abort_text,
			 "0 passed, 1 failed, 0 skipped\n"
			 "not ok between # deadline expired after 2 s\n");
}

static const struct kt_case ktap_output_cases[] = {
	KT_CASE(ktap_record_summary_then_failures),
	KT_CASE(ktap_abort_fails_the_running_case),
	KT_CASE(ktap_messages_cannot_forge_lines),
	KT_CASE(ktap_comparisons_follow_signedness),
	KT_CASE(ktap_filter_matching_nothing),
};

const struct kt_suite ktap_output_suite =
	KT_SUITE("ktap_output", ktap_output_cases);
