/* SPDX-License-Identifier: MIT */
/*
 * boot/fwcfg.h - reads files from QEMU's fw_cfg device through its legacy
 * I/O ports (selector 0x510, data 0x511). The payload takes its options
 * from the file opt/gmemvisor/cmdline (QEMU: -fw_cfg name=...,string=...).
 * Owns nothing beyond the device's selector state.
 */
#ifndef GMV_BOOT_FWCFG_H
#define GMV_BOOT_FWCFG_H

#include "lib/types.h"

#define FWCFG_CMDLINE_FILE "opt/gmemvisor/cmdline"

/* Is a fw_cfg device there (signature "QEMU")? */
bool fwcfg_present(void);

/*
 * Read the file called name into buf (n bytes) and store its size in *size.
 * Returns 0, -ENODEV without fw_cfg, -ENOENT when there is no such file, or
 * -E2BIG (nothing read, *size set) when it does not fit.
 */
int fwcfg_read_file(const char *name, void *buf, size_t n, size_t *size);

#endif
