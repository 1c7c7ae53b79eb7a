/* SPDX-License-Identifier: MIT */
/*
 * boot/tsc.h - the TSC frequency, measured once at boot against the PIT.
 * Owns tsc_khz, which later users read to turn TSC ticks into time.
 */
#ifndef GMV_BOOT_TSC_H
#define GMV_BOOT_TSC_H

#include "lib/types.h"

/* TSC ticks per millisecond; 0 if calibration failed (no PIT). */
extern u64 tsc_khz;

/* Measure the TSC over about 10 ms of PIT channel 2 and set tsc_khz.
 * Returns 0, or -EIO (tsc_khz left 0) when the PIT never counts down. */
int tsc_calibrate(void);

#endif
