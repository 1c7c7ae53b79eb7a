/* SPDX-License-Identifier: MIT */
/*
 * boot/resultvar.h - the results variable: the run's verdict text kept in
 * a non-volatile UEFI variable, so that it outlives the run and can be
 * read afterwards from Linux or the UEFI shell (README "Running on a real
 * machine"). Owns the variable's name, vendor GUID, attributes and size
 * bound.
 *
 * The data is ASCII text, no NUL: the summary line, then the first
 * failures, one a line (lib/ktap.h struct kt_record).
 */
#ifndef GMV_BOOT_RESULTVAR_H
#define GMV_BOOT_RESULTVAR_H

#include "boot/uefi.h"
#include "lib/types.h"

#define RESULTVAR_NAME "GmemvisorResult"
#define RESULTVAR_GUID "7d3119a7-f799-4341-a8ae-518d6c2e55e6"
/* Non-volatile, boot-service and runtime access: 7. */
#define RESULTVAR_ATTRS                                          \
	(EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | \
	 EFI_VARIABLE_RUNTIME_ACCESS)
/* The most data written; longer text is cut. */
#define RESULTVAR_MAX 1024

/*
 * Write text (without its NUL, at most RESULTVAR_MAX bytes) through the
 * runtime services' SetVariable(), whose code must be mapped executable
 * (boot/addrspace.h). Returns the firmware's status.
 */
EFI_STATUS resultvar_write(EFI_RUNTIME_SERVICES *rt, const char *text);

#endif
