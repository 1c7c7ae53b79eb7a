// SPDX-License-Identifier: MIT
/*
 * tests/common/conf_native.c - the conformance suite on the native backend
 * over hv_pool, as "conformance.native".
 */
#include "guest-tests/conformance/conformance.h"
#include "hv/vmm_native.h"
#include "tests/suites.h"

static struct vmm_native native_state;
static struct vmm native_vmm = VMM_NATIVE_INIT(native_state);

static const struct kt_suite conf_native = CONF_SUITE("native", &native_vmm);
static const struct kt_suite *const conf_children[] = {&conf_native};

const struct kt_suite conf_native_suite = {
	.name = "conformance",
	.children = conf_children,
	.n_children = ARRAY_SIZE(conf_children),
};
