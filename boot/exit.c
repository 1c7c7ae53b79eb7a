// SPDX-License-Identifier: MIT
/* boot/exit.c - the end of every run: verdict to QEMU, else halt. */
#include "boot/exit.h"
#include "boot/cpu.h"
#include "lib/console.h"

void exit_run(bool pass)
{
	cli();
	outl(DEBUG_EXIT_PORT, pass ? GMV_EXIT_PASS : GMV_EXIT_FAIL);
	/* Still running: no debug-exit device, so this is real hardware. */
	kprintf("gmemvisor: run %s, halting\n", pass ? "passed" : "FAILED");
	cpu_halt_forever();
}

void plat_fail(void)
{
	exit_run(false);
}
