/* SPDX-License-Identifier: MIT */
/*
 * hv/x86/guest_walk.h - guest memory the way a 64-bit guest sees it, for
 * the exit handling that must look at the guest's instruction bytes (the
 * CPU does not always report an instruction's length or bytes: QEMU's TCG
 * writes neither next_rip nor the DecodeAssists bytes). Owns the walk of
 * the guest's own 4-level page tables (CR3; 4 KiB, 2 MiB and 1 GiB pages;
 * Intel SDM vol. 3 §4.5, AMD APM vol. 2 §5.3). Guest-physical addresses
 * are read where the VM's second-level table maps them (arch_ops.lookup):
 * only memory the guest has touched is mapped there, which is all an exit
 * handler needs, since the guest has just fetched the instruction and
 * walked its tables to reach it.
 */
#ifndef GMV_HV_X86_GUEST_WALK_H
#define GMV_HV_X86_GUEST_WALK_H

#include "hv/arch.h"
#include "hv/x86/insn_decode.h"
#include "lib/types.h"

struct guest_mem {
	u64 cr3; /* the guest's CR3 */
	/* The VM's second-level translation (the backend's lookup):
	 * 0, or -ENOENT where nothing is mapped. */
	int (*lookup)(const struct arch_vm *vm, u64 gpa, struct arch_xlate *x);
	const struct arch_vm *vm;
};

/* The GPA the guest's tables give gva (bits 51:12 of the leaf, so a
 * C-bit or shared bit in it stays): 0 or -EFAULT. */
int guest_translate(const struct guest_mem *m, u64 gva, u64 *gpa);

/* Copy [gva, gva + len) as the guest sees it: 0 or -EFAULT. */
int guest_read_gva(const struct guest_mem *m, u64 gva, void *buf, size_t len);

/* Store [gva, gva + len) as the guest would, where the second-level table
 * maps it writable (the guest's own write permissions are not checked):
 * 0 or -EFAULT, the bytes before the failing page written. */
int guest_write_gva(const struct guest_mem *m, u64 gva, const void *buf,
		    size_t len);

/*
 * Read the instruction at rip (up to INSN_MAX_LEN bytes, fewer before an
 * unreadable page; *n says how many) and decode it. 0, -EFAULT when not
 * even its first byte can be read, or insn_decode()'s errors.
 */
int guest_fetch_insn(const struct guest_mem *m, u64 rip, struct insn *in,
		     size_t *n);

#endif
