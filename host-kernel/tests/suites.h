/* SPDX-License-Identifier: MIT */
/*
 * host-kernel/tests/suites.h - the linux backend's own test suites, run
 * by build/host/linux-backend-tests (host-kernel/tests/main.c).
 */
#ifndef GMV_HOST_KERNEL_TESTS_SUITES_H
#define GMV_HOST_KERNEL_TESTS_SUITES_H

#include "lib/ktap.h"

extern const struct kt_suite linux_backend_suite;
extern const struct kt_suite linux_vcpu_suite;
extern const struct kt_suite linux_bounds_suite;

/* Skip predicates (host-kernel/tests/needs.c): a usable /dev/kvm; and
 * guest_memfd on the default VMs these tests create. */
const char *needs_kvm(struct kt *t);
const char *needs_gmem(struct kt *t);

#endif
