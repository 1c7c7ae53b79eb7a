/* SPDX-License-Identifier: MIT */
/*
 * boot/spcr.h - the console UART that the ACPI Serial Port Console
 * Redirection table (SPCR) names. Owns the decoding of that table; no
 * state.
 */
#ifndef GMV_BOOT_SPCR_H
#define GMV_BOOT_SPCR_H

#include "boot/acpi.h"
#include "boot/serial.h"

/*
 * Decode the SPCR table t into *u: 0, or -EINVAL with the reason in why
 * (size n) when the table does not name a 16550 we can drive.
 */
int spcr_uart(const struct acpi_header *t, struct uart *u, char *why, size_t n);

#endif
