/* SPDX-License-Identifier: MIT */
/*
 * boot/exit.h - how the payload ends a run. Owns the end action (option
 * end=, boot/options.h), the UEFI runtime services pointer it resets the
 * machine through, the report it leaves in the results variable
 * (boot/resultvar.h), and the verdict codes written to QEMU's
 * isa-debug-exit port; scripts/run-qemu.sh mirrors them.
 *
 * QEMU exits with status (value << 1) | 1 (hw/misc/debugexit.c
 * debug_exit_write()). Neither code may map to 0, QEMU's status after a
 * triple fault with -no-reboot (the reset request becomes a shutdown,
 * softmmu/runstate.c qemu_system_reset_request()), or to 1, QEMU's status
 * on its own errors.
 */
#ifndef GMV_BOOT_EXIT_H
#define GMV_BOOT_EXIT_H

#include "boot/options.h"
#include "lib/types.h"

#define DEBUG_EXIT_PORT 0xf4
#define GMV_EXIT_PASS 0x20 /* QEMU exit status 65 */
#define GMV_EXIT_FAIL 0x11 /* QEMU exit status 35 */

/* The system table's RuntimeServices, kept before ExitBootServices. */
void exit_set_runtime(void *runtime_services);
void exit_set_action(enum end_action end);
/* The verdict text for the results variable (boot/resultvar.h), kept by
 * pointer and read at the end; NULL or "" until the payload has one. */
void exit_set_report(const char *text);

/*
 * End the run with the given verdict: first the report (or, without one,
 * a line saying whether the run passed) goes into the results variable,
 * then the verdict is printed and the action taken:
 *  END_DEFAULT  QEMU (fw_cfg signature "QEMU" present): write the verdict
 *               to the isa-debug-exit port; if that device is absent (the
 *               write returns), or this is not QEMU, END_SHUTDOWN.
 *  END_SHUTDOWN ResetSystem(EfiResetShutdown): the machine powers off.
 *  END_REBOOT   ResetSystem(EfiResetCold): the machine boots again.
 *  END_HALT     the CPU halts with interrupts off, forever.
 * Should ResetSystem return, the CPU halts. plat_fail() (lib/console.h)
 * is exit_run(false).
 */
__noreturn void exit_run(bool pass);

#endif
