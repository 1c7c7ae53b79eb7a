// SPDX-License-Identifier: MIT
/* boot/exit.c - the end of every run (see boot/exit.h). */
#include "boot/exit.h"
#include "boot/addrspace.h"
#include "boot/cpu.h"
#include "boot/fwcfg.h"
#include "boot/resultvar.h"
#include "boot/uefi.h"
#include "boot/watchdog.h"
#include "lib/console.h"

static EFI_RUNTIME_SERVICES *runtime;
static enum end_action action = END_DEFAULT;
static const char *report;

void exit_set_runtime(void *runtime_services)
{
	runtime = runtime_services;
}

void exit_set_action(enum end_action end)
{
	action = end;
}

void exit_set_report(const char *text)
{
	report = text;
}

/* Leave the verdict text in the results variable. The runtime services'
 * code is mapped executable from here on (addrspace_map_runtime()). */
static void save_result(bool pass)
{
	const char *text = report && report[0] ? report :
			   pass ? "run passed, no summary line\n" :
				  "run FAILED before its summary line\n";
	EFI_STATUS status;

	if (!runtime) {
		kprintf("gmemvisor: no runtime services, no results "
			"variable\n");
		return;
	}
	if (addrspace_map_runtime()) {
		kprintf("gmemvisor: cannot map the runtime services\n");
		runtime = NULL;
		return;
	}
	status = resultvar_write(runtime, text);
	if (EFI_ERROR(status))
		kprintf("gmemvisor: results variable %s-%s not written: EFI "
			"status %#llx\n",
			RESULTVAR_NAME, RESULTVAR_GUID,
			(unsigned long long)status);
	else
		kprintf("# results variable %s-%s written\n", RESULTVAR_NAME,
			RESULTVAR_GUID);
}

static const char *action_name(enum end_action end)
{
	switch (end) {
	case END_REBOOT:
		return "reboot";
	case END_HALT:
		return "halt";
	default:
		return "shutdown";
	}
}

void exit_run(bool pass)
{
	static bool ending;
	enum end_action end = action;

	cli();
	/* Nothing of the watchdog's may disturb the end, halt included. */
	watchdog_stop();
	/* A fault inside ResetSystem() comes back here: halt instead. */
	if (ending) {
		kprintf("gmemvisor: fault while ending the run, halting\n");
		cpu_halt_forever();
	}
	ending = true;
	save_result(pass);
	/* QEMU is known by fw_cfg's signature; when its isa-debug-exit
	 * device is there, this write stops the machine. */
	if (end == END_DEFAULT && fwcfg_present())
		outl(DEBUG_EXIT_PORT, pass ? GMV_EXIT_PASS : GMV_EXIT_FAIL);
	if (end == END_DEFAULT)
		end = END_SHUTDOWN;
	kprintf("gmemvisor: run %s, ending by %s\n", pass ? "passed" : "FAILED",
		action_name(end));
	/*
	 * Boot services are gone and SetVirtualAddressMap() was never
	 * called, so the runtime services run at their physical addresses,
	 * which save_result() made executable (UEFI 2.10 section 8.5.1
	 * ResetSystem; the status is the reset's reason for the firmware).
	 */
	if (end != END_HALT && runtime)
		runtime->ResetSystem(end == END_REBOOT ? EfiResetCold :
							  EfiResetShutdown,
				     pass ? EFI_SUCCESS : EFI_ABORTED, 0, NULL);
	if (end != END_HALT)
		kprintf("gmemvisor: %s\n",
			runtime ? "ResetSystem returned, halting" :
				  "no runtime services, halting");
	cpu_halt_forever();
}

void plat_fail(void)
{
	exit_run(false);
}
