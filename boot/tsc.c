// SPDX-License-Identifier: MIT
/*
 * boot/tsc.c - TSC calibration against PIT channel 2 (see boot/tsc.h).
 *
 * Channel 2's gate is bit 0 of port 0x61 and its output reads back as bit
 * 5 there, so it can be timed without interrupts: program a one-shot
 * count (mode 0), open the gate and poll until the output goes high.
 */
#include "boot/tsc.h"
#include "boot/cpu.h"
#include "lib/errno.h"

#define PIT_HZ 1193182
#define PIT_CH2_DATA 0x42
#define PIT_MODE 0x43
#define PIT_CH2_ONESHOT 0xb0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT_B 0x61
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2 0x20

#define CAL_MS 10
#define CAL_COUNT (PIT_HZ * CAL_MS / 1000)
#define CAL_ROUNDS 3
/* Give up on a PIT that never fires after this many TSC ticks (about a
 * second even at 10 GHz). */
#define CAL_GIVE_UP (10ULL * 1000 * 1000 * 1000)

u64 tsc_khz;

/* TSC ticks over one CAL_COUNT countdown, or 0 if it never ended. */
static u64 measure_once(void)
{
	u8 b = inb(PORT_B) & ~(PORT_B_GATE2 | PORT_B_SPEAKER);
	u64 start, now;

	outb(PORT_B, b); /* gate closed: the count holds */
	outb(PIT_MODE, PIT_CH2_ONESHOT);
	outb(PIT_CH2_DATA, CAL_COUNT & 0xff);
	outb(PIT_CH2_DATA, CAL_COUNT >> 8);
	outb(PORT_B, b | PORT_B_GATE2);
	start = rdtsc();
	do {
		now = rdtsc();
		if (now - start > CAL_GIVE_UP)
			return 0;
	} while (!(inb(PORT_B) & PORT_B_OUT2));
	outb(PORT_B, b);
	return now - start;
}

int tsc_calibrate(void)
{
	u64 best = 0;

	/* The shortest round had the fewest interruptions (an emulator's
	 * host scheduler, SMIs). */
	for (int i = 0; i < CAL_ROUNDS; i++) {
		u64 ticks = measure_once();

		if (!ticks)
			return -EIO;
		if (!best || ticks < best)
			best = ticks;
	}
	tsc_khz = best * PIT_HZ / ((u64)CAL_COUNT * 1000);
	return 0;
}
