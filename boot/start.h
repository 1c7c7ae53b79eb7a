/* SPDX-License-Identifier: MIT */
/*
 * boot/start.h - the hand-overs: from the UEFI entry (boot/efi_main.c) to
 * boot_start(), which brings the machine up after ExitBootServices on its
 * own console, descriptor tables, page tables and stack, and from there to
 * payload_main(), what the payload is for, which boot/ does not define.
 */
#ifndef GMV_BOOT_START_H
#define GMV_BOOT_START_H

#include "boot/madt.h"
#include "boot/options.h"
#include "lib/types.h"

/* What efi_main learnt while boot services were still there. */
struct boot_args {
	u64 image_base; /* LoadedImage->ImageBase */
	void *runtime_services; /* SystemTable->RuntimeServices */
	char cmdline[OPT_TEXT_MAX]; /* LoadOptions as ASCII, maybe "" */
	int cmdline_err; /* options_from_ucs2() result */
	/* The options file (boot/optfile.h) as read, not yet parsed. */
	char optfile[OPT_FILE_MAX];
	size_t optfile_size;
	int optfile_err; /* optfile_read() result */
	u64 optfile_efi_status; /* the firmware's status for -EIO */
	/* ISA IRQ 0's route from the MADT (boot/madt.h), for the NMI
	 * watchdog: pit_err is madt_isa_irq()'s result, pit_why its reason. */
	struct madt_irq pit;
	int pit_err;
	const char *pit_why;
};

/*
 * While boot services are there, the console started (boot/console.h) and
 * mirrored: the options from the first source that has any, the console
 * they name and the lines that say both; bad options end the run.
 */
void boot_options(const struct boot_args *args);

/* Boot services are gone and interrupts may be on; never returns. */
__noreturn void boot_start(const struct boot_args *args);

/*
 * The payload proper, linked in from outside boot/ (the test payload's is
 * tests/payload/main.c). Runs on the hypervisor stack with hv_pool, the
 * TSC and (when present) the deadline timer set up, and gets the options
 * the firmware passed. Returns the run's verdict, which boot_start() then
 * reports through exit_run().
 */
bool payload_main(const struct boot_options *opts);

/*
 * Also the payload's: the run's deadline expired (boot/watchdog.h) and the
 * run is about to end as a failure. Print the verdict so far with the
 * expiry counted as a failure (why says what and where it was seen) and
 * bring the report for the results variable (exit_set_report(),
 * boot/exit.h) up to date. Called with interrupts off, maybe from the
 * timer's interrupt handler; the run does not resume.
 */
void payload_deadline_expired(const char *why);

#endif
