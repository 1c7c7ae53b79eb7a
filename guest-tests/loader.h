/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/loader.h - puts a test guest into a VM through hv/vmm.h
 * calls only, so every backend loads guests the same way: low memory with
 * identity page tables, the image, and the entry state (the guest
 * environment contract, guest-tests/README.md and guest-tests/lib/abi.h).
 */
#ifndef GMV_GUEST_TESTS_LOADER_H
#define GMV_GUEST_TESTS_LOADER_H

#include "hv/vmm.h"
#include "guest-tests/image.h"

/*
 * Give VM vm its low memory: memslot GUEST_LOW_SLOT, a normal slot over
 * [0, GUEST_LOW_SIZE), holding page tables that identity map
 * [0, GUEST_MAP_LIMIT) with 2 MiB pages, present, writable and
 * user-accessible at every level. gpa_bits go into every address the
 * tables hold (table pointers and leaves; the entry's CR3 needs them
 * too): a TD's shared bit makes every access through them shared. 0 or
 * the backend's -errno.
 */
int guest_setup_low_memory(struct vmm *v, int vm, u64 gpa_bits);

/*
 * Copy img to the address its header names, zero the rest of the image
 * (.bss, stack) and fill e->rip, e->rsp and e->cr3 (not the arguments).
 * -EINVAL if the image is malformed or does not fit in low memory,
 * else 0 or the backend's -errno.
 */
int guest_load_image(struct vmm *v, int vm, const struct guest_image *img,
		     struct vmm_entry *e);

#endif
