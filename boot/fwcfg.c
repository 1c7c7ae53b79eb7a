// SPDX-License-Identifier: MIT
/*
 * boot/fwcfg.c - QEMU fw_cfg over I/O ports (see boot/fwcfg.h). Layout from
 * QEMU's docs/specs/fw_cfg.rst: select an item by writing its 16-bit key to
 * the selector port, then read its bytes one at a time from the data port.
 * The file directory (key 0x19) is a big-endian count followed by 64-byte
 * entries { be32 size; be16 select; be16 reserved; char name[56]; }.
 */
#include "boot/fwcfg.h"
#include "boot/cpu.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define FWCFG_PORT_SEL 0x510
#define FWCFG_PORT_DATA 0x511
#define FWCFG_SIGNATURE 0x0000
#define FWCFG_FILE_DIR 0x0019
#define FWCFG_NAME_MAX 56

struct fwcfg_file {
	u32 size; /* big-endian */
	u16 select; /* big-endian */
	u16 reserved;
	char name[FWCFG_NAME_MAX];
};

static void fwcfg_select(u16 key)
{
	outw(FWCFG_PORT_SEL, key);
}

static void fwcfg_read(void *buf, size_t n)
{
	u8 *p = buf;

	while (n--)
		*p++ = inb(FWCFG_PORT_DATA);
}

static u32 be32(u32 v)
{
	return __builtin_bswap32(v);
}

bool fwcfg_present(void)
{
	char sig[4];

	fwcfg_select(FWCFG_SIGNATURE);
	fwcfg_read(sig, sizeof(sig));
	return !memcmp(sig, "QEMU", sizeof(sig));
}

int fwcfg_read_file(const char *name, void *buf, size_t n, size_t *size)
{
	struct fwcfg_file f;
	u32 count;

	if (!fwcfg_present())
		return -ENODEV;
	fwcfg_select(FWCFG_FILE_DIR);
	fwcfg_read(&count, sizeof(count));
	for (count = be32(count); count; count--) {
		fwcfg_read(&f, sizeof(f));
		f.name[FWCFG_NAME_MAX - 1] = '\0';
		if (strcmp(f.name, name))
			continue;
		*size = be32(f.size);
		if (*size > n)
			return -E2BIG;
		fwcfg_select(__builtin_bswap16(f.select));
		fwcfg_read(buf, *size);
		return 0;
	}
	return -ENOENT;
}
