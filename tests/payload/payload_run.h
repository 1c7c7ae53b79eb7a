/* SPDX-License-Identifier: MIT */
/*
 * tests/payload/payload_run.h - what the test payload's run was asked
 * for (tests/payload/main.c), for a case that runs only when asked for by
 * name (the watchdog's hang).
 */
#ifndef GMV_TESTS_PAYLOAD_PAYLOAD_RUN_H
#define GMV_TESTS_PAYLOAD_PAYLOAD_RUN_H

/* The run's filter= glob, or NULL. */
const char *payload_filter(void);

#endif
