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
extern const struct kt_suite npt_suite;
extern const struct kt_suite svm_suite;

#endif
