// SPDX-License-Identifier: MIT
/*
 * tests/payload/runner_endings_test.c - runner_endings: a run that ends
 * badly on purpose, for the runners' own tests (scripts/tests/
 * bochs-endings-test.sh boots each under real Bochs and checks the one
 * reason scripts/run-bochs.sh gives). Each case fails, triple-faults or
 * hangs the machine, so it runs only when asked for by name: filter= must
 * hold the case's name, which no glob of a normal run does.
 */
#include "boot/cpu.h"
#include "lib/console.h"
#include "lib/ktap.h"
#include "tests/payload/payload_run.h"
#include "tests/suites.h"

/* glob: "*NAME*", matched against the filter= text itself. */
static const char *asked_for(const char *glob)
{
	const char *f = payload_filter();

	return f && kt_glob_match(glob, f) ?
		       NULL :
		       "ends the run badly on purpose: runs only with a filter= "
		       "naming it";
}

static const char *fails_lacks(struct kt *t)
{
	return asked_for("*planted_failure*");
}

static const char *triple_lacks(struct kt *t)
{
	return asked_for("*planted_triple_fault*");
}

static const char *hang_lacks(struct kt *t)
{
	return asked_for("*planted_hang*");
}

/* A check that cannot pass: the run must end as failed. */
static void planted_failure(struct kt *t)
{
	KT_EXPECT_EQ(t, 1 + 1, 3);
}

/*
 * An IDT of limit 0: the #UD cannot be delivered (#GP), nor that #GP
 * (#DF), nor the #DF: a triple fault, which shuts the machine down (Intel
 * SDM vol. 3 §6.15, "Interrupt 8 - Double Fault Exception").
 */
static void planted_triple_fault(struct kt *t)
{
	static const struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) none = { 0, 0 };

	kprintf("# loading an empty IDT, then UD2\n");
	asm volatile("lidt %0; ud2" : : "m"(none) : "memory");
}

/* Interrupts off, spinning: only the runner's timeout ends this. */
static void planted_hang(struct kt *t)
{
	kprintf("# hanging with interrupts off\n");
	cli();
	for (;;)
		cpu_relax();
}

static const struct kt_case runner_endings_cases[] = {
	KT_CASE_IF(planted_failure, fails_lacks),
	KT_CASE_IF(planted_triple_fault, triple_lacks),
	KT_CASE_IF(planted_hang, hang_lacks),
};

const struct kt_suite runner_endings_suite =
	KT_SUITE("runner_endings", runner_endings_cases);
