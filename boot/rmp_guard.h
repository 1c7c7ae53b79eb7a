/* SPDX-License-Identifier: MIT */
/*
 * boot/rmp_guard.h - the payload's half of the RMP host-write guard
 * (hv/snp/rmp.h, plat_rmp_guard()). Under QEMU there is no RMP to refuse
 * a hypervisor write to a page assigned to a guest, so the payload's own
 * page tables do it: an assigned page is mapped read-only (4 KiB leaves,
 * the host's huge leaves split as needed, as Linux splits its direct map
 * around pages it assigns: adjust_direct_map() in
 * arch/x86/virt/svm/sev.c) and writable again once hypervisor-owned.
 * Owns recognising the write fault that follows and describing it with
 * the page's RMP entry, read through the current SNP RMP (snp_rmp()).
 */
#ifndef GMV_BOOT_RMP_GUARD_H
#define GMV_BOOT_RMP_GUARD_H

#include "lib/types.h"

/*
 * Is a #PF at va with error_code a host write the guard refused (present,
 * write, and the page assigned in the current SNP RMP)? isr_dispatch()
 * then sets PF_RMP in the error code, as the hardware's RMP check does
 * (AMD APM vol. 2 §8.4.2, error code bit 31).
 */
bool rmp_guard_fault(u64 va, u64 error_code);

/* One line: "RMP violation: host write to VA ... (PA ...): RMP entry
 * assigned .. asid .. gpa .. size .. validated .. immutable .. vmsa ..",
 * the entry as the current SNP RMP has it now. Returns its length. */
int rmp_guard_describe(u64 va, char *buf, size_t n);

#endif
