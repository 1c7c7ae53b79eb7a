/* SPDX-License-Identifier: MIT */
/*
 * tests/suites.h - the top-level test suites, declared from their one
 * list (tests/suites.def), and the way a runner takes its own from it:
 *
 *	static const struct kt_suite *const suites[] = {
 *	#define SUITE(sym, runners) SUITE_IF_##runners##_host(sym)
 *	#include "tests/suites.def"
 *	#undef SUITE
 *	};
 */
#ifndef GMV_TESTS_SUITES_H
#define GMV_TESTS_SUITES_H

#include "lib/ktap.h"

#define SUITE(sym, runners) extern const struct kt_suite sym;
#include "tests/suites.def"
#undef SUITE

/* SUITE_IF_<runners>_<runner>(sym): "&sym," when the runner takes it. */
#define SUITE_IF_host_host(sym) &sym,
#define SUITE_IF_host_payload(sym)
#define SUITE_IF_payload_host(sym)
#define SUITE_IF_payload_payload(sym) &sym,
#define SUITE_IF_both_host(sym) &sym,
#define SUITE_IF_both_payload(sym) &sym,

#endif
