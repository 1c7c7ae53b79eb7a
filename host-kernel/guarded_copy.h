/* SPDX-License-Identifier: MIT */
/*
 * host-kernel/guarded_copy.h - a byte copy that survives SIGBUS: the
 * linux backend's host accesses to a guest_memfd mapping go through it so
 * a page Linux refuses to fault in becomes -VMM_SIGBUS, not a crash.
 */
#ifndef GMV_HOST_KERNEL_GUARDED_COPY_H
#define GMV_HOST_KERNEL_GUARDED_COPY_H

#include "lib/types.h"

/*
 * Copy len bytes from src to dst, one byte at a time in ascending order.
 * Exactly one of src and dst lies in the mapping [map, map + map_len);
 * a SIGBUS raised by an access inside that mapping stops the copy
 * (bytes before the faulting one are done) and returns -VMM_SIGBUS. Any
 * other SIGBUS is delivered as if no handler were installed. Returns 0.
 */
int guarded_copy(void *dst, const void *src, size_t len, const void *map,
		 size_t map_len);

#endif
