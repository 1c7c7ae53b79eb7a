/* SPDX-License-Identifier: MIT */
/*
 * boot/console.h - the payload's console: which UART carries it (the
 * console= option, else the one the ACPI SPCR table names, else COM1),
 * the "# console:" line that says which and why, and the UEFI text
 * console (ConOut) that mirrors the output until ExitBootServices. Owns
 * that choice and the mirror; implements plat_console_write()
 * (lib/console.h) over boot/serial.h.
 */
#ifndef GMV_BOOT_CONSOLE_H
#define GMV_BOOT_CONSOLE_H

#include "boot/serial.h"
#include "lib/types.h"

/* What console= takes, for error messages. */
#define CONSOLE_FORMS                                                  \
	"com1, com2, mmio,ADDR or mmio32,ADDR, each with an optional " \
	",BAUD (9600, 19200, 38400, 57600 or 115200)"
/* The baud rate of com1 and com2 when console= names none. */
#define CONSOLE_BAUD_DEFAULT 115200

/*
 * Parse the value of console= (s, len bytes) into *u: com1 and com2 are
 * I/O ports 0x3f8 and 0x2f8, mmio,ADDR a UART in memory at ADDR (hex with
 * 0x, or decimal) with byte-wide registers one byte apart, mmio32,ADDR
 * one with 32-bit registers 4 bytes apart. Without BAUD, com1 and com2
 * run at CONSOLE_BAUD_DEFAULT and an MMIO UART keeps the rate the
 * firmware set (its clock is unknown). Returns 0 or -EINVAL.
 */
int console_parse(struct uart *u, const char *s, size_t len);

/*
 * The console before the options are known: the UART that the ACPI SPCR
 * table found from rsdp (boot/acpi.h; NULL when the firmware lists none)
 * names, else COM1. Errors until console_choose() print there.
 */
void console_start(const void *rsdp);

/*
 * The options are known: opt (space UART_NONE when console= was not
 * given) replaces the console, then the "# console:" line says which it
 * is and where that came from.
 */
void console_choose(const struct uart *opt);

/*
 * Mirror the output on conout, an EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL, a whole
 * line at a time; NULL sends what is left of a line and stops, which must
 * happen before ExitBootServices.
 */
void console_mirror(void *conout);

/*
 * End the line in progress, if the last byte written was not a newline:
 * for a path that may have interrupted a line half printed (the NMI
 * watchdog, boot/watchdog.h) and must start its own on a fresh line.
 */
void console_break_line(void);

#endif
