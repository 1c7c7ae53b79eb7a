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

/* svm_run.*: hand-made guests through VMRUN, and the round-trip cost. */
extern const struct kt_suite svm_run_suite;
/* vcpu_native.*: a guest through the native backend's VMM interface. */
extern const struct kt_suite vcpu_native_suite;
/* guest_native.*: the guest-level cases on the native backend. */
extern const struct kt_suite guest_native_suite;

#endif
