/* SPDX-License-Identifier: MIT */
/*
 * tests/common/suites.h - the suites every build can run. Each build's
 * main lists the ones it runs.
 */
#ifndef GMV_TESTS_SUITES_H
#define GMV_TESTS_SUITES_H

#include "lib/ktap.h"

extern const struct kt_suite alloc_suite;
extern const struct kt_suite lib_suite;
extern const struct kt_suite insn_decode_suite;
extern const struct kt_suite guest_walk_suite;
extern const struct kt_suite npt_suite;
extern const struct kt_suite svm_suite;
extern const struct kt_suite hv_lib_suite;
extern const struct kt_suite conf_native_suite;
extern const struct kt_suite native_gmem_suite;
extern const struct kt_suite native_fault_suite;

#endif
