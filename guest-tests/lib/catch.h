/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/lib/catch.h - what a confidential test guest's early code
 * sets up for itself (guest code only): descriptor tables with an IDT for
 * vectors 0-31, exceptions the hypervisor injects (SNP's #VC, TDX's #VE,
 * #GP) caught and reported instead of ending the guest, and an alias of
 * the identity map with other address bits (SNP's C-bit, TDX's private
 * view). Programs using it run at CPL0.
 */
#ifndef GMV_GUEST_TESTS_LIB_CATCH_H
#define GMV_GUEST_TESTS_LIB_CATCH_H

#include "lib/types.h"

/* Load a GDT with the CPL0 selectors the backend entered the guest with
 * and an IDT whose every vector 0-31 lands in the catcher below. */
void guest_exceptions_init(void);

struct guest_exception {
	u64 vector, error_code, rip;
};

/* Run fn(arg); an exception the hypervisor delivers inside it abandons fn
 * and is returned in *e (true). No exception: false. Outside
 * guest_catch() such an exception fails the guest with its vector, error
 * code and RIP. Exceptions the CPU raises itself (#PF, #UD) are
 * intercepted by the hypervisor, as for every test guest, and end the
 * run as SHUTDOWN. */
bool guest_catch(void (*fn)(u64 arg), u64 arg, struct guest_exception *e);

/* Map [0, GUEST_MAP_LIMIT) again at base (a multiple of 512 GiB, above
 * the identity map: one PML4 entry) with 2 MiB leaves: table_bits in the
 * alias's own table pointers (where its tables are: they live in the
 * guest's image), leaf_bits in every leaf; then flush the TLB. */
void guest_map_alias(u64 base, u64 table_bits, u64 leaf_bits);

#endif
