// SPDX-License-Identifier: MIT
/*
 * tests/host/deadline_test.c - hv/deadline.c against a fake timer: when
 * deadline_arm() touches the timer (only for a deadline sooner than the
 * one it is armed for, never for 0 or without a timer), and what
 * deadline_timer_fired() and deadline_disarm() forget; and that a
 * watchdog deadline caps every arm.
 */
#include "hv/deadline.h"
#include "lib/ktap.h"
#include "tests/suites.h"

static unsigned int arms, disarms;
static u64 armed;

static void fake_arm(u64 deadline)
{
	arms++;
	armed = deadline;
}

static void fake_disarm(void)
{
	disarms++;
}

static const struct deadline_timer fake = {
	.name = "fake",
	.tsc_per_ms = 1000,
	.arm = fake_arm,
	.disarm = fake_disarm,
};

static void deadline_arms_only_when_sooner(struct kt *t)
{
	const struct deadline_timer *had = deadline_timer();
	struct deadline_timer saved;
	u64 d = deadline_now() + (1ULL << 40);

	if (had)
		saved = *had;
	arms = disarms = 0;
	deadline_timer_register(&fake);
	/* No deadline: nothing to arm. */
	deadline_arm(0);
	KT_EXPECT_EQ(t, arms, 0);
	deadline_arm(d);
	KT_EXPECT_EQ(t, arms, 1);
	KT_EXPECT_EQ(t, armed, d);
	/* Armed for that or sooner already: the timer is left alone. */
	deadline_arm(d);
	deadline_arm(d + 1);
	KT_EXPECT_EQ(t, arms, 1);
	/* Sooner: armed again. */
	deadline_arm(d - 1);
	KT_EXPECT_EQ(t, arms, 2);
	KT_EXPECT_EQ(t, armed, d - 1);
	/* Once it fired it is armed again, later deadline or not. */
	deadline_timer_fired();
	deadline_arm(d);
	KT_EXPECT_EQ(t, arms, 3);
	KT_EXPECT_EQ(t, armed, d);
	deadline_disarm();
	KT_EXPECT_EQ(t, disarms, 1);
	deadline_arm(d + 1);
	KT_EXPECT_EQ(t, arms, 4);
	/* A deadline far ahead has not passed; 0 never does. */
	KT_EXPECT(t, !deadline_passed(d));
	KT_EXPECT(t, deadline_passed(1));
	KT_EXPECT(t, !deadline_passed(0));
	/* Without a timer nothing is armed, whatever the last timer was. */
	deadline_timer_register(NULL);
	deadline_arm(d - 2);
	deadline_disarm();
	KT_EXPECT_EQ(t, arms, 4);
	KT_EXPECT_EQ(t, disarms, 1);
	KT_EXPECT(t, !deadline_passed(1));
	KT_EXPECT_EQ(t, deadline_after_ms(5), 0);
	deadline_timer_register(had ? &saved : NULL);
}

/* The watchdog (deadline_set_watchdog()) is armed at once, and a later
 * run deadline arms no later than it; a sooner one wins. */
static void deadline_watchdog_caps_every_arm(struct kt *t)
{
	const struct deadline_timer *had = deadline_timer();
	struct deadline_timer saved;
	u64 d = deadline_now() + (1ULL << 40);

	if (had)
		saved = *had;
	arms = 0;
	deadline_timer_register(&fake);
	deadline_set_watchdog(d);
	KT_EXPECT_EQ(t, arms, 1);
	KT_EXPECT_EQ(t, armed, d);
	deadline_timer_fired();
	deadline_arm(d + 100);
	KT_EXPECT_EQ(t, arms, 2);
	KT_EXPECT_EQ(t, armed, d);
	deadline_arm(d - 100);
	KT_EXPECT_EQ(t, arms, 3);
	KT_EXPECT_EQ(t, armed, d - 100);
	/* No watchdog: a run's deadline is armed as it is. */
	deadline_set_watchdog(0);
	deadline_timer_fired();
	deadline_arm(d + 100);
	KT_EXPECT_EQ(t, arms, 4);
	KT_EXPECT_EQ(t, armed, d + 100);
	deadline_disarm();
	deadline_timer_register(had ? &saved : NULL);
}

static const struct kt_case deadline_cases[] = {
	KT_CASE(deadline_arms_only_when_sooner),
	KT_CASE(deadline_watchdog_caps_every_arm),
};

const struct kt_suite deadline_suite = KT_SUITE("deadline", deadline_cases);
