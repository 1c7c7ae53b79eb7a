/* SPDX-License-Identifier: MIT */
/*
 * boot/optfile.h - reads the options file (OPT_FILE_NAME, boot/options.h)
 * from the root of the file system the payload was loaded from, while boot
 * services are still there. Owns nothing once it returns.
 */
#ifndef GMV_BOOT_OPTFILE_H
#define GMV_BOOT_OPTFILE_H

#include "boot/uefi.h"
#include "lib/types.h"

/*
 * Read the options file on device (EFI_LOADED_IMAGE.DeviceHandle) into
 * buf (n bytes) and store its size in *size. Returns 0; -ENOENT when the
 * device has no file system or the file is not there; -E2BIG (*size = n + 1
 * or more, nothing usable) when it is longer than n bytes; -EIO when the
 * firmware fails to open or read it (*efi_status says how).
 */
int optfile_read(EFI_BOOT_SERVICES *bs, EFI_HANDLE device, char *buf, size_t n,
		 size_t *size, EFI_STATUS *efi_status);

#endif
