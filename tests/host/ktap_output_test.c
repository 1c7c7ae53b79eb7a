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
static int run_captured(const struct kt_suite *s, struct kt_totals *tot,
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
	*tot = kt_run(suites, 1, NULL);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(f);
	len = fread(buf, 1, n - 1, f);
	buf[len] = '\0';
	fclose(f);
	return 0;
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

static const struct kt_case ktap_output_cases[] = {
	KT_CASE(ktap_messages_cannot_forge_lines),
};

const struct kt_suite ktap_output_suite =
	KT_SUITE("ktap_output", ktap_output_cases);
