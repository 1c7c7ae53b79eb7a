// SPDX-License-Identifier: MIT
/*
 * tests/payload/guest_native.c - the guest-level cases (guest-tests/
 * cases/) on the native backend, i.e. on SVM vCPUs under QEMU, as
 * "guest.*"; and the guest-path benchmark on it, as "guest_bench.*".
 */
#include "guest-tests/cases/cases.h"
#include "hv/vmm_native.h"
#include "tests/payload/payload_run.h"
#include "tests/suites.h"

static struct vmm_native native_state;
static struct vmm native_vmm = VMM_NATIVE_INIT(native_state);

const struct kt_suite guest_native_suite = GUEST_SUITE(&native_vmm);
/* The bench=1 mode's suite (tests/payload/main.c). */
const struct kt_suite guest_bench_native_suite = GUEST_BENCH_SUITE(&native_vmm);
