// SPDX-License-Identifier: MIT
/* boot/memmap.c - the kept UEFI memory map (see boot/memmap.h). */
#include "boot/memmap.h"

/* Room for ~1300 descriptors of the usual 48 bytes; no allocation is
 * needed, so fetching the map does not change it. */
#define MEMMAP_BYTES (64 * 1024)

static u8 map[MEMMAP_BYTES] __attribute__((aligned(8)));
static UINTN map_size, desc_size;

EFI_STATUS memmap_fetch(EFI_BOOT_SERVICES *bs, UINTN *key)
{
	UINT32 version;
	EFI_STATUS st;

	map_size = sizeof(map);
	st = bs->GetMemoryMap(&map_size, (EFI_MEMORY_DESCRIPTOR *)map, key,
			      &desc_size, &version);
	if (EFI_ERROR(st))
		map_size = 0;
	return st;
}

size_t memmap_count(void)
{
	return desc_size ? map_size / desc_size : 0;
}

const EFI_MEMORY_DESCRIPTOR *memmap_get(size_t i)
{
	return (const EFI_MEMORY_DESCRIPTOR *)(map + i * desc_size);
}

bool memmap_is_wb(const EFI_MEMORY_DESCRIPTOR *d)
{
	return (d->Attribute & EFI_MEMORY_WB) && d->Type != EfiMemoryMappedIO &&
	       d->Type != EfiMemoryMappedIOPortSpace;
}
