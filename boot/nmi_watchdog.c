// SPDX-License-Identifier: MIT
/*
 * boot/nmi_watchdog.c - the watchdog's NMI tick (see
 * boot/nmi_watchdog.h).
 *
 * PIT (Intel 8254 datasheet): control word at port 0x43, channel 0's
 * count at port 0x40, low byte then high byte; mode 2, the rate
 * generator, drives OUT low for one clock each count and high again, a
 * rising edge every count clocks of 1.193182 MHz; writing a control word
 * for mode 0 leaves OUT low and stops counting until a count is written.
 * ISA IRQ 0 is the PIT's OUT (the MADT's override says its GSI, often 2).
 *
 * NMI status and control, port 0x61 (Intel ICH/PCH datasheets, NMI_SC):
 * bit 7 SERR# NMI source, bit 6 IOCHK# NMI source.
 */
#include "boot/nmi_watchdog.h"
#include "boot/cpu.h"
#include "boot/idt.h"
#include "boot/ioapic.h"
#include "boot/lapic.h"
#include "boot/tsc.h"
#include "boot/watchdog.h"
#include "lib/errno.h"

#define PIT_HZ 1193182
#define PIT_CH0_DATA 0x40
#define PIT_MODE 0x43
#define PIT_CH0_RATE 0x34 /* channel 0, low/high byte, mode 2, binary */
#define PIT_CH0_STOP 0x30 /* channel 0, low/high byte, mode 0, binary */
#define PIT_COUNT (PIT_HZ * NMI_WATCHDOG_MS / 1000)
#define PORT_B 0x61
#define PORT_B_IOCHK BIT(6)
#define PORT_B_SERR BIT(7)
#define FIRST_NMI_PERIODS 10

static bool running;
static volatile u64 nmis;

static bool on_nmi(const struct exc_frame *f)
{
	if (inb(PORT_B) & (PORT_B_IOCHK | PORT_B_SERR))
		return false;
	nmis++;
	if (running)
		watchdog_nmi();
	return true;
}

int nmi_watchdog_start(const struct madt_irq *irq)
{
	u64 start;
	u32 id;
	int ret;

	ret = lapic_id(&id);
	if (ret)
		return ret;
	if (id > 0xff)
		return -ERANGE; /* an I/O APIC names 8-bit destinations */
	idt_set_nmi_handler(on_nmi);
	ret = ioapic_route_nmi(irq->ioapic, irq->gsi - irq->gsi_base, id,
			       irq->active_low);
	if (ret) {
		idt_set_nmi_handler(NULL);
		return ret;
	}
	outb(PIT_MODE, PIT_CH0_RATE);
	outb(PIT_CH0_DATA, PIT_COUNT & 0xff);
	outb(PIT_CH0_DATA, PIT_COUNT >> 8);
	running = true;
	start = rdtsc();
	while (!nmis) {
		if (rdtsc() - start >
		    FIRST_NMI_PERIODS * NMI_WATCHDOG_MS * tsc_khz) {
			nmi_watchdog_stop();
			idt_set_nmi_handler(NULL);
			return -EIO;
		}
		cpu_relax();
	}
	return 0;
}

void nmi_watchdog_stop(void)
{
	if (!running)
		return;
	running = false;
	ioapic_mask_routed();
	outb(PIT_MODE, PIT_CH0_STOP);
}

bool nmi_watchdog_running(void)
{
	return running;
}

u64 nmi_watchdog_count(void)
{
	return nmis;
}
