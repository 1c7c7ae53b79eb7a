/* SPDX-License-Identifier: MIT */
/*
 * tests/payload/suites.h - what the payload runs: payload_suites[] (the
 * one list, in suites.c) and the suites that only make sense on the
 * payload's own machine.
 */
#ifndef GMV_TESTS_PAYLOAD_SUITES_H
#define GMV_TESTS_PAYLOAD_SUITES_H

#include "lib/ktap.h"

extern const struct kt_suite *const payload_suites[];
extern const size_t payload_suites_count;

/* boot.*: the payload's own bring-up (console, options, exceptions,
 * page tables, pool, CPU state). */
extern const struct kt_suite boot_suite;

#endif
