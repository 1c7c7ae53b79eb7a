// SPDX-License-Identifier: MIT
/*
 * tests/host/kt_isolate_test.c - the per-case child process of the
 * Linux-side runners (plat/host/kt_isolate.h), read back from the KTAP it
 * prints: a case that never ends is killed at the time bound and reported
 * "timed out"; an allocation above the memory bound fails in the case; a
 * crash fails the case with its signal; checks, failures and skips made
 * in the child reach the parent's totals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "plat/host/kt_isolate.h"
#include "tests/suites.h"

#define OUT_MAX 4096
/* The bound the test sets: what the process holds already (the unit
 * tests' page pool counts) plus this much. */
#define TEST_HEADROOM (256ULL << 20)

static u64 test_limit;

/* VmData of this process, in bytes (0 if it cannot be read). */
static u64 data_now(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	unsigned long long kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmData: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

static void spins_forever(struct kt *t)
{
	KT_EXPECT(t, true);
	for (;;)
		pause();
}

static void allocates_above_the_bound(struct kt *t)
{
	size_t len = TEST_HEADROOM * 2;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	KT_EXPECT(t, p == MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, len);
	p = mmap(NULL, TEST_HEADROOM / 2, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_EXPECT(t, p != MAP_FAILED);
}

static void crashes(struct kt *t)
{
	KT_EXPECT(t, true);
	abort(); /* not SIGSEGV: the sanitizers catch that one and exit */
}

static void fails_a_check(struct kt *t)
{
	KT_EXPECT_EQ(t, 1, 2);
}

static void skips(struct kt *t)
{
	kt_skip(t, "no reason at all");
}

static const struct kt_case bounded_cases[] = {
	KT_CASE(spins_forever),
	KT_CASE(allocates_above_the_bound),
	KT_CASE(crashes),
	KT_CASE(fails_a_check),
	KT_CASE(skips),
};

static const struct kt_suite bounded_suite =
	KT_SUITE("bounded", bounded_cases);

/* The bounded suite, isolated with a 1 s bound and TEST_HEADROOM above
 * what the process holds, into buf. */
static int run_bounded(struct kt_totals *tot, char *buf, size_t n)
{
	const struct kt_suite *const suites[] = { &bounded_suite };
	const struct kt_options opt = { .run = kt_isolated_run };
	struct kt_isolation saved = kt_isolation;
	FILE *f = tmpfile();
	size_t len;
	int out;

	if (!f)
		return -1;
	fflush(stdout);
	out = dup(STDOUT_FILENO);
	if (out < 0 || dup2(fileno(f), STDOUT_FILENO) < 0) {
		fclose(f);
		return -1;
	}
	test_limit = data_now() + TEST_HEADROOM;
	kt_isolation = (struct kt_isolation){ 1, test_limit };
	*tot = kt_run(suites, 1, &opt);
	kt_isolation = saved;
	fflush(stdout);
	dup2(out, STDOUT_FILENO);
	close(out);
	rewind(f);
	len = fread(buf, 1, n - 1, f);
	buf[len] = '\0';
	fclose(f);
	return 0;
}

static void kt_isolate_bounds_each_case(struct kt *t)
{
	static char out[OUT_MAX];
	struct kt_totals tot;
	struct timespec a, b;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &a);
	KT_ASSERT_OK(t, run_bounded(&tot, out, sizeof(out)));
	KT_EXPECT_GE(t, test_limit, TEST_HEADROOM + 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000LL + (b.tv_nsec - a.tv_nsec) / 1000000;
	KT_EXPECT_EQ(t, tot.passed, 1);
	KT_EXPECT_EQ(t, tot.failed, 3);
	KT_EXPECT_EQ(t, tot.skipped, 1);
	KT_EXPECT(t, strstr(out, "not ok 1 spins_forever # timed out after "
				 "1 s\n"));
	KT_EXPECT(t, strstr(out, "\n    ok 2 allocates_above_the_bound\n"));
	KT_EXPECT(t, strstr(out, "not ok 3 crashes # the case's process was "
				 "killed by signal 6"));
	KT_EXPECT(t, strstr(out, "fails_a_check: tests/host/kt_isolate_test"
				 ".c:"));
	KT_EXPECT(t, strstr(out, "not ok 4 fails_a_check\n"));
	KT_EXPECT(t, strstr(out, "ok 5 skips # SKIP no reason at all\n"));
	/* One second for the case that never ends, not the default bound. */
	KT_EXPECT_GE(t, ms, 1000);
	KT_EXPECT_LT(t, ms, 10000);
}

static const struct kt_case kt_isolate_cases[] = {
	KT_CASE(kt_isolate_bounds_each_case),
};

const struct kt_suite kt_isolate_suite =
	KT_SUITE("kt_isolate", kt_isolate_cases);
