// SPDX-License-Identifier: MIT
/*
 * boot/pe.c - the PE32+ section table (see boot/pe.h). Layout from the
 * Microsoft PE/COFF specification: the DOS header's e_lfanew (offset 0x3c)
 * locates "PE\0\0", then the 20-byte COFF header, the optional header and
 * the 40-byte section headers.
 */
#include "boot/pe.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define DOS_MAGIC 0x5a4d /* "MZ" */
#define PE_MAGIC 0x00004550
#define PE32PLUS_MAGIC 0x20b

struct coff_header {
	u16 machine;
	u16 nr_sections;
	u32 timestamp;
	u32 symtab, nr_symbols;
	u16 opt_size;
	u16 characteristics;
} __attribute__((packed));

struct section_header {
	char name[8];
	u32 vsize;
	u32 rva;
	u32 raw_size, raw_ptr, reloc_ptr, lines_ptr;
	u16 nr_relocs, nr_lines;
	u32 flags;
} __attribute__((packed));

/* Offset of SizeOfHeaders in the PE32+ optional header. */
#define OPT_SIZE_OF_HEADERS 60

int pe_sections(u64 base, struct pe_section *out, int max, u64 *headers_size)
{
	const u8 *img = (const u8 *)base;
	const struct coff_header *coff;
	const struct section_header *sh;
	const u8 *opt;
	u32 lfanew, sig, hdr_size;
	u16 magic;

	memcpy(&magic, img, sizeof(magic));
	if (magic != DOS_MAGIC)
		return -EINVAL;
	memcpy(&lfanew, img + 0x3c, sizeof(lfanew));
	memcpy(&sig, img + lfanew, sizeof(sig));
	if (sig != PE_MAGIC)
		return -EINVAL;
	coff = (const void *)(img + lfanew + 4);
	opt = (const u8 *)(coff + 1);
	memcpy(&magic, opt, sizeof(magic));
	if (magic != PE32PLUS_MAGIC)
		return -EINVAL;
	memcpy(&hdr_size, opt + OPT_SIZE_OF_HEADERS, sizeof(hdr_size));
	*headers_size = hdr_size;
	sh = (const void *)(opt + coff->opt_size);
	for (int i = 0; i < coff->nr_sections && i < max; i++) {
		memcpy(out[i].name, sh[i].name, 8);
		out[i].name[8] = '\0';
		out[i].start = base + sh[i].rva;
		out[i].size = sh[i].vsize;
		out[i].flags = sh[i].flags;
	}
	return coff->nr_sections;
}
