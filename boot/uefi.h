/* SPDX-License-Identifier: MIT */
/*
 * boot/uefi.h - the one way boot/ includes the GNU-EFI headers.
 *
 * With clang's windows target, _MSC_EXTENSIONS is defined and
 * <efi/eficompiler.h> then defines __attribute__(x) as nothing, which
 * would silently drop every packed, aligned and noreturn attribute in the
 * code that follows. This header undoes that.
 */
#ifndef GMV_BOOT_UEFI_H
#define GMV_BOOT_UEFI_H

#include <efi.h>

#undef __attribute__

#endif
