/* SPDX-License-Identifier: MIT */
/*
 * hv/base/check.h - the failure path of the invariant checkers (alloc_check,
 * kmalloc_check, npt_check, vm_check_all, gmem_check_all). Owns the form of
 * a checker's complaint: one console line, "# PREFIX: message".
 *
 * A checker file defines CHECK_PREFIX, a string literal naming the checker,
 * before it includes this header, and uses CHECK() in functions returning
 * int.
 */
#ifndef GMV_HV_BASE_CHECK_H
#define GMV_HV_BASE_CHECK_H

#include "lib/console.h"
#include "lib/errno.h"

/* Unless cond holds, print "# CHECK_PREFIX: " and the message fmt (a string
 * literal) with its arguments on a line, and return -EIO. */
#define CHECK(cond, fmt, ...)                                               \
	do {                                                                \
		if (!(cond)) {                                              \
			kprintf("# " CHECK_PREFIX ": " fmt, ##__VA_ARGS__); \
			kputs("\n");                                        \
			return -EIO;                                        \
		}                                                           \
	} while (0)

#endif
