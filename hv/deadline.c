// SPDX-License-Identifier: MIT
/* hv/deadline.c - the platform's deadline timer (see hv/deadline.h). */
#include "hv/deadline.h"

/* A copy of the platform's timer, so that a run reads only hv/ data. */
static struct deadline_timer timer;
static bool registered;
/* What the timer is armed for (set with IF clear, cleared by the
 * interrupt handler); 0: not armed. */
static volatile u64 armed_for;
/* Every arm is for this or sooner; 0: none. */
static u64 watchdog;

void deadline_timer_register(const struct deadline_timer *t)
{
	registered = t;
	if (t)
		timer = *t;
	armed_for = 0;
}

const struct deadline_timer *deadline_timer(void)
{
	return registered ? &timer : NULL;
}

u64 deadline_after_ms(u64 ms)
{
	return registered ? deadline_now() + ms * timer.tsc_per_ms : 0;
}

bool deadline_passed(u64 deadline)
{
	return registered && deadline && deadline_now() >= deadline;
}

void deadline_arm(u64 deadline)
{
	if (!registered || !deadline)
		return;
	if (watchdog && watchdog < deadline)
		deadline = watchdog;
	if (armed_for && armed_for <= deadline)
		return;
	timer.arm(deadline);
	armed_for = deadline;
}

void deadline_set_watchdog(u64 deadline)
{
	watchdog = deadline;
	deadline_arm(deadline);
}

void deadline_disarm(void)
{
	if (registered)
		timer.disarm();
	armed_for = 0;
}

u64 deadline_armed_for(void)
{
	return armed_for;
}

void deadline_timer_fired(void)
{
	armed_for = 0;
}
