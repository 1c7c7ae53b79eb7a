/* SPDX-License-Identifier: MIT */
/*
 * boot/memmap.h - the UEFI memory map, fetched just before
 * ExitBootServices and kept for the rest of the run. Owns the copy; the
 * pool (boot/pool.h) and the direct map (boot/addrspace.h) read it.
 */
#ifndef GMV_BOOT_MEMMAP_H
#define GMV_BOOT_MEMMAP_H

#include "boot/uefi.h"

#include "lib/types.h"

/*
 * Fetch the current map into the static copy; *key is what
 * ExitBootServices wants. Returns the firmware's status
 * (EFI_BUFFER_TOO_SMALL if the map outgrows the copy).
 */
EFI_STATUS memmap_fetch(EFI_BOOT_SERVICES *bs, UINTN *key);

size_t memmap_count(void);
const EFI_MEMORY_DESCRIPTOR *memmap_get(size_t i);

/* May the range be mapped write-back? No for MMIO, or when the firmware
 * does not list WB among the range's cache attributes. */
bool memmap_is_wb(const EFI_MEMORY_DESCRIPTOR *d);

#endif
