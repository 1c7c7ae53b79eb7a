/* SPDX-License-Identifier: MIT */
/*
 * tests/payload/boot_tests.h - the children of boot_suite, one per boot/
 * module (or group of modules) under test.
 */
#ifndef GMV_TESTS_PAYLOAD_BOOT_TESTS_H
#define GMV_TESTS_PAYLOAD_BOOT_TESTS_H

#include "lib/ktap.h"

extern const struct kt_suite console_suite;
extern const struct kt_suite options_suite;
extern const struct kt_suite fwcfg_suite;
extern const struct kt_suite cpu_suite;
extern const struct kt_suite exception_suite;
extern const struct kt_suite paging_suite;
extern const struct kt_suite pool_suite;
extern const struct kt_suite interrupt_suite;
extern const struct kt_suite madt_suite;

#endif
