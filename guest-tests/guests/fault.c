// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/fault.c - an exception in a guest without an IDT
 * (programs.h): the contract says it ends the guest as SHUTDOWN.
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

/* A ud2 whose address the host can compare with the exit's rip. */
asm(".pushsection .text\n"
    ".globl fault_ud2\n"
    "fault_ud2:\n\t"
    "ud2\n"
    ".popsection");
void fault_ud2(void);

void guest_main(u64 mode, u64 unused)
{
	if (mode == FAULT_UD) {
		GUEST_SYNC(1, (u64)fault_ud2);
		fault_ud2();
	} else {
		GUEST_SYNC(1, GUEST_MAP_LIMIT);
		guest_read_n(GUEST_MAP_LIMIT, 8);
	}
	GUEST_ASSERT(!"the exception returned");
}
