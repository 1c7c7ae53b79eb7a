/* SPDX-License-Identifier: MIT */
/*
 * boot/pe.h - reads the section table of the loaded PE32+ image (the
 * payload itself), so that each section can be mapped with its own
 * rights. Owns nothing.
 */
#ifndef GMV_BOOT_PE_H
#define GMV_BOOT_PE_H

#include "lib/types.h"

#define PE_SCN_EXEC 0x20000000U
#define PE_SCN_READ 0x40000000U
#define PE_SCN_WRITE 0x80000000U

struct pe_section {
	char name[9];
	u64 start, size; /* loaded address and size in memory */
	u32 flags; /* PE_SCN_* */
};

/*
 * Find the sections of the image loaded at base. Fills up to max entries
 * of out and returns how many sections there are, or -EINVAL when base
 * holds no PE32+ image. *headers_size gets the size of the headers.
 */
int pe_sections(u64 base, struct pe_section *out, int max, u64 *headers_size);

#endif
