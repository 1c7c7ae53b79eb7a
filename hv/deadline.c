// SPDX-License-Identifier: MIT
/* hv/deadline.c - the platform's deadline timer (see hv/deadline.h). */
#include "hv/deadline.h"

static const struct deadline_timer *timer;

void deadline_timer_register(const struct deadline_timer *t)
{
	timer = t;
}

const struct deadline_timer *deadline_timer(void)
{
	return timer;
}

u64 deadline_after_ms(u64 ms)
{
	return timer ? timer->now() + ms * timer->ticks_per_ms : 0;
}

bool deadline_passed(u64 deadline)
{
	return timer && deadline && timer->now() >= deadline;
}

void deadline_arm(u64 deadline)
{
	if (timer && deadline)
		timer->arm(deadline);
}

void deadline_disarm(void)
{
	if (timer)
		timer->disarm();
}
