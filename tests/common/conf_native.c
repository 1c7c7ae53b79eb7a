// SPDX-License-Identifier: MIT
/*
 * tests/common/conf_native.c - the conformance suite on the native backend
 * over hv_pool, as "conformance.*".
 */
#include "guest-tests/conformance/conformance.h"
#include "hv/vmm_native.h"
#include "tests/suites.h"

static struct vmm_native native_state;
static struct vmm native_vmm = VMM_NATIVE_INIT(native_state);

const struct kt_suite conf_native_suite = CONF_SUITE(&native_vmm);
