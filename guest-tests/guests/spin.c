// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/spin.c - a loop without exits, which the backend's
 * run time limit interrupts (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

static volatile u64 spin_flag;

void guest_main(u64 arg0, u64 arg1)
{
	GUEST_SYNC(1, (u64)&spin_flag);
	while (!spin_flag)
		;
}
