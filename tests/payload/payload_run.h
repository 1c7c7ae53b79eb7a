/* SPDX-License-Identifier: MIT */
/*
 * tests/payload/payload_run.h - what the test payload's run was asked
 * for (tests/payload/main.c), for a case that runs only when asked for by
 * name (the watchdog's hang), and the suite of its bench=1 mode.
 */
#ifndef GMV_TESTS_PAYLOAD_PAYLOAD_RUN_H
#define GMV_TESTS_PAYLOAD_PAYLOAD_RUN_H

#include "lib/ktap.h"

/* The run's filter= glob, or NULL. */
const char *payload_filter(void);

/* The bench=1 mode's suite: the guest paths on the native backend
 * (tests/payload/guest_native.c). */
extern const struct kt_suite guest_bench_native_suite;

#endif
