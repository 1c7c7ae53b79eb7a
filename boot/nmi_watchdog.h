/* SPDX-License-Identifier: MIT */
/*
 * boot/nmi_watchdog.h - the non-maskable tick of the deadline= watchdog
 * (boot/watchdog.h): PIT channel 0 counts periods of NMI_WATCHDOG_MS and
 * its output, ISA IRQ 0, reaches this CPU through the I/O APIC pin the
 * MADT names (boot/madt.h) with delivery mode NMI, so that the watchdog
 * sees its deadline even where host code loops with interrupts off.
 * Owns the tick's state: whether it runs and the NMIs taken.
 *
 * Why this source: the PIT and the I/O APIC are what QEMU's q35 machine
 * emulates under TCG as on PC hardware; TCG has no performance counters,
 * so the local APIC's performance-counter NMI is not there. A machine
 * without an I/O APIC in its MADT, or whose PIT does not count, gets no
 * tick, and says so.
 *
 * An NMI does not say where it came from. While the tick runs, every NMI
 * is taken for its own except one that the NMI status port (0x61) marks
 * as a PCI SERR# or I/O check error; that one, like any NMI when the tick
 * never ran, is reported as an exception (boot/idt.h) and ends the run.
 */
#ifndef GMV_BOOT_NMI_WATCHDOG_H
#define GMV_BOOT_NMI_WATCHDOG_H

#include "boot/madt.h"
#include "lib/types.h"

#define NMI_WATCHDOG_MS 50

/*
 * Start the tick on ISA IRQ 0's route irq, and wait up to 10 periods for
 * its first NMI. 0; -ENODEV (no local APIC), -ERANGE (no such I/O APIC
 * pin, or an APIC ID wider than the I/O APIC's 8 bits), paging_map()'s
 * error, or -EIO (no NMI came), with the tick stopped again and its
 * handler removed.
 */
int nmi_watchdog_start(const struct madt_irq *irq);
/* Stop the tick (the PIT channel and the I/O APIC pin); nothing if it
 * never ran. An NMI still on its way is taken quietly. */
void nmi_watchdog_stop(void);
/* Does the tick run (and so claim vector 2, INT 2 included)? */
bool nmi_watchdog_running(void);
/* NMIs the tick's handler took. */
u64 nmi_watchdog_count(void);

#endif
