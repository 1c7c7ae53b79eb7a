/* SPDX-License-Identifier: MIT */
/*
 * boot/options.h - the payload's command line. Owns the parsed options and
 * the rules for turning the firmware's text into them.
 *
 * Syntax: words separated by spaces:
 *   filter=GLOB   run only the cases whose "suite.case" path matches
 *   list          print the selected case paths instead of running them
 *   pool=SIZE     cap the page pool (bytes; K, M or G suffix; at least
 *                 OPT_POOL_MIN)
 *   end=ACTION    how the run ends after its verdict: shutdown, reboot or
 *                 halt (boot/exit.h); without it, QEMU's debug-exit port
 *                 when QEMU is there, else shutdown
 *   deadline=SECONDS  a run not over SECONDS after start ends as a
 *                 failure (boot/watchdog.h); whole seconds, 1 to
 *                 OPT_DEADLINE_MAX
 *   console=UART  the console UART (boot/console.h console_parse());
 *                 without it, the one ACPI SPCR names, else COM1
 *   machine=bochs the machine is the Bochs emulator (scripts/run-bochs.sh
 *                 says so): cases that meet a known Bochs defect skip,
 *                 naming it (hv/vcpu.h vcpu_set_bochs); without a MADT,
 *                 the watchdog's NMI tick takes Bochs's wiring of the
 *                 PIT (boot/start.c)
 *   bench=1       the bench mode: run the guest-path benchmark
 *                 (guest-tests/cases/bench.c) instead of the test suites
 * A later word overrides an earlier one.
 */
#ifndef GMV_BOOT_OPTIONS_H
#define GMV_BOOT_OPTIONS_H

#include "boot/serial.h"
#include "lib/types.h"

#define OPT_TEXT_MAX 512

enum end_action {
	END_DEFAULT, /* debug-exit under QEMU, else END_SHUTDOWN */
	END_SHUTDOWN,
	END_REBOOT,
	END_HALT,
};

struct boot_options {
	char filter[OPT_TEXT_MAX]; /* "" = every case */
	bool list;
	u64 pool_limit; /* bytes */
	enum end_action end;
	u64 deadline; /* seconds, 0 = none */
	struct uart console; /* space UART_NONE: not given */
	bool bochs; /* machine=bochs */
	bool bench; /* bench=1 */
};

/* The longest deadline= accepted (about 11.5 days). */
#define OPT_DEADLINE_MAX 1000000

/* Default pool cap: conventional memory above 1 MiB, up to 1 GiB. */
#define OPT_POOL_DEFAULT SZ_1G
/*
 * The smallest pool= accepted. Booting takes a dozen pages from the pool
 * (the page tables); below 64 KiB nothing boots, and 1 MiB leaves the
 * boot suites room to run.
 */
#define OPT_POOL_MIN (1UL << 20)

void options_init(struct boot_options *opt);

/*
 * Apply the words of text to opt. Returns 0, or leaves opt unchanged and
 * returns -EINVAL for an unknown word or a bad value, -ERANGE for a pool=
 * below OPT_POOL_MIN; *bad then points at the word (in text).
 */
int options_parse(struct boot_options *opt, const char *text, const char **bad);

/*
 * Convert a UEFI LoadOptions buffer to ASCII text in out (size n).
 * LoadOptions is a UCS-2 command line when started from the UEFI shell, but
 * a boot manager may pass binary data there; anything that is not printable
 * ASCII text is dropped (out = ""). The shell puts the program's name
 * first, so a first word that is not an option is dropped as that name.
 * Returns 0, or -E2BIG (out = "") when the text does not fit.
 */
int options_from_ucs2(char *out, size_t n, const u16 *in, size_t bytes);

/*
 * The options file on the boot volume (OPT_FILE_NAME, at most OPT_FILE_MAX
 * bytes): the same words as the command line, on any number of lines; a
 * '#' starts a comment that runs to the end of its line.
 */
#define OPT_FILE_NAME "gmemvisor.opt"
#define OPT_FILE_MAX 4096

/*
 * Convert the options file's bytes in[0, bytes) to one line of words in
 * out (size n): comments dropped, words separated by one space.
 * Returns 0, -EINVAL (out = "") when the file holds anything but ASCII
 * text, or -E2BIG (out = "") when its words do not fit.
 */
int options_from_file(char *out, size_t n, const char *in, size_t bytes);

#endif
