/* SPDX-License-Identifier: MIT */
/*
 * tests/host/host_suites.h - the suites only the host runner has: they
 * need the C library (e.g. to read back what the harness printed) or the
 * host build's own pieces (the scripted vCPU backend).
 */
#ifndef GMV_TESTS_HOST_HOST_SUITES_H
#define GMV_TESTS_HOST_HOST_SUITES_H

#include "lib/ktap.h"

extern const struct kt_suite ktap_output_suite;
extern const struct kt_suite vcpu_exit_suite;

#endif
