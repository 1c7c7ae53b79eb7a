// SPDX-License-Identifier: MIT
/*
 * tests/payload/guest_native.c - the guest-level cases (guest-tests/
 * cases/) on the native backend, i.e. on SVM vCPUs under QEMU, as
 * "guest.*".
 */
#include "guest-tests/cases/cases.h"
#include "hv/vmm_native.h"
#include "tests/suites.h"

static struct vmm_native native_state;
static struct vmm native_vmm = VMM_NATIVE_INIT(native_state);

const struct kt_suite guest_native_suite = GUEST_SUITE(&native_vmm);
