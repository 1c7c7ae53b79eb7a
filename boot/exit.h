/* SPDX-License-Identifier: MIT */
/*
 * boot/exit.h - how the payload ends a run. Owns the verdict codes written
 * to QEMU's isa-debug-exit port; scripts/run-qemu.sh mirrors them.
 *
 * QEMU exits with status (value << 1) | 1 (hw/misc/debugexit.c
 * debug_exit_write()). Neither code may map to 0, QEMU's status after a
 * triple fault with -no-reboot (the reset request becomes a shutdown,
 * softmmu/runstate.c qemu_system_reset_request()), or to 1, QEMU's status
 * on its own errors.
 */
#ifndef GMV_BOOT_EXIT_H
#define GMV_BOOT_EXIT_H

#include "lib/types.h"

#define DEBUG_EXIT_PORT 0xf4
#define GMV_EXIT_PASS 0x20 /* QEMU exit status 65 */
#define GMV_EXIT_FAIL 0x11 /* QEMU exit status 35 */

/*
 * End the run with the given verdict. Under QEMU the debug-exit port stops
 * the machine; on real hardware the CPU halts with the verdict on the
 * console. plat_fail() (lib/console.h) is exit_run(false).
 */
__noreturn void exit_run(bool pass);

#endif
