/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/conformance/conformance.h - the conformance suite: cases
 * written once against the VMM interface (hv/vmm.h) and named after the
 * Linux behaviour they check: gNN_ for GNN, the project's ID of one
 * user-visible guest_memfd, memslot or capability rule (trace lines and
 * comments cite the same IDs), s41_ for KVM_SET_MEMORY_ATTRIBUTES
 * (virt/kvm/kvm_main.c), s5_ for in-place conversion (the upstream series
 * "guest_memfd: In-place conversion support"), view_ for gmem views. Owns
 * the case table; each backend's runner builds a suite over it with its
 * own struct vmm:
 *
 *	static const struct kt_suite s = CONF_SUITE(&my_vmm);
 *
 * The suite is "conformance" on every backend and opens with the line
 * "# backend: NAME", so a case has one path (conformance.CASE) everywhere.
 *
 * Every case starts from and ends with v->ops->reset(), and calls
 * v->ops->check() before and after that final reset. Cases that need a
 * feature skip with the backend's reason (vmm_ops.lacks).
 */
#ifndef GMV_CONF_CONFORMANCE_H
#define GMV_CONF_CONFORMANCE_H

#include "guest-tests/vmm_case.h"
#include "lib/ktap.h"

enum {
	CONF_NR_CASES = 0
#define CONF(fn, pred) +1
#include "guest-tests/conformance/cases.def"
#undef CONF
};

extern const struct kt_case conf_cases[CONF_NR_CASES];
extern const size_t conf_nr_cases;

/* The suite-level predicate: the backend must offer guest_memfd. */
const char *conf_unsupported(void *ctx);

#define CONF_SUITE(vmm_ptr)                                                  \
	{                                                                    \
		.name = "conformance", .cases = conf_cases,                  \
		.n_cases = CONF_NR_CASES, .ctx = vmm_ptr,                    \
		.unsupported = conf_unsupported, .intro = case_backend_intro \
	}

#endif
