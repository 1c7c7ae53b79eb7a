/* SPDX-License-Identifier: MIT */
/*
 * hv/kvm_abi.h - the Linux KVM uAPI numbers that gmemvisor reproduces:
 * VM types, capabilities, memslot, guest_memfd, fallocate and attribute
 * flags, exit reasons and hypercall numbers. Values are Linux's: the uAPI
 * headers include/uapi/linux/kvm.h, kvm_para.h and falloc.h, and for the
 * slot limits arch/x86/include/asm/kvm_host.h and include/linux/
 * kvm_host.h. The native backend answers with the same numbers, so one
 * suite and one trace format serve both backends.
 */
#ifndef GMV_HV_KVM_ABI_H
#define GMV_HV_KVM_ABI_H

/* KVM_CREATE_VM types (x86). */
#define GMV_VM_DEFAULT 0
#define GMV_VM_SW_PROTECTED 1
#define GMV_VM_SEV 2
#define GMV_VM_SEV_ES 3
#define GMV_VM_SNP 4
#define GMV_VM_TDX 5

/* KVM_CHECK_EXTENSION numbers. */
#define GMV_CAP_NR_MEMSLOTS 10
#define GMV_CAP_MULTI_ADDRESS_SPACE 118
#define GMV_CAP_USER_MEMORY2 231
#define GMV_CAP_MEMORY_FAULT_INFO 232
#define GMV_CAP_MEMORY_ATTRIBUTES 233
#define GMV_CAP_GUEST_MEMFD 234
#define GMV_CAP_VM_TYPES 235
#define GMV_CAP_PRE_FAULT_MEMORY 236
#define GMV_CAP_GUEST_MEMFD_FLAGS 244

/* Memslot flags (struct kvm_userspace_memory_region2.flags). */
#define GMV_MEM_LOG_DIRTY_PAGES (1u << 0)
#define GMV_MEM_READONLY (1u << 1)
#define GMV_MEM_GUEST_MEMFD (1u << 2)

/* x86: KVM_USER_MEM_SLOTS, the highest user slot id + 1. */
#define GMV_USER_MEM_SLOTS 32764
/* KVM_MEM_MAX_NR_PAGES: a slot holds at most 2^31 - 1 pages. */
#define GMV_MEM_MAX_NR_PAGES ((1ULL << 31) - 1)

/* KVM_CREATE_GUEST_MEMFD flags. */
#define GMV_GMEM_FLAG_MMAP (1ULL << 0)
#define GMV_GMEM_FLAG_INIT_SHARED (1ULL << 1)

/* fallocate modes (linux/falloc.h). */
#define GMV_FALLOC_KEEP_SIZE 0x01
#define GMV_FALLOC_PUNCH_HOLE 0x02
#define GMV_FALLOC_NO_HIDE_STALE 0x04
#define GMV_FALLOC_COLLAPSE_RANGE 0x08
#define GMV_FALLOC_ZERO_RANGE 0x10
#define GMV_FALLOC_INSERT_RANGE 0x20
#define GMV_FALLOC_UNSHARE_RANGE 0x40
#define GMV_FALLOC_WRITE_ZEROES 0x80

/* KVM_SET_MEMORY_ATTRIBUTES attribute bits. */
#define GMV_MEMORY_ATTRIBUTE_PRIVATE (1ULL << 3)

/* KVM_EXIT_* reasons the VMM interface reports. */
#define GMV_EXIT_IO 2
#define GMV_EXIT_HYPERCALL 3
#define GMV_EXIT_HLT 5
#define GMV_EXIT_MMIO 6
#define GMV_EXIT_SHUTDOWN 8
#define GMV_EXIT_INTR 10
#define GMV_EXIT_INTERNAL_ERROR 17
#define GMV_EXIT_SYSTEM_EVENT 24
/* KVM_SYSTEM_EVENT_SEV_TERM: an SEV-ES/SNP guest asked to be terminated
 * (GHCB MSR protocol request 0x100); data = the GHCB MSR value. */
#define GMV_SYSTEM_EVENT_SEV_TERM 6
#define GMV_EXIT_MEMORY_FAULT 39
#define GMV_MEMORY_EXIT_FLAG_PRIVATE (1ULL << 3)

/* KVM hypercalls (include/uapi/linux/kvm_para.h), and the error values
 * they return negated in RAX. */
#define GMV_HC_MAP_GPA_RANGE 12
#define GMV_KVM_ENOSYS 1000
#define GMV_KVM_EINVAL 22
#define GMV_MAP_GPA_RANGE_ENCRYPTED (1ULL << 4)
#define GMV_MAP_GPA_RANGE_DECRYPTED (0ULL << 4)
/* The page size the guest asked in (include/uapi/linux/kvm_para.h
 * KVM_MAP_GPA_RANGE_PAGE_SZ_*). */
#define GMV_MAP_GPA_RANGE_PAGE_SZ_4K 0ULL
#define GMV_MAP_GPA_RANGE_PAGE_SZ_2M (1ULL << 0)
#define GMV_MAP_GPA_RANGE_PAGE_SZ_1G (1ULL << 1)
#define GMV_MAP_GPA_RANGE_PAGE_SZ_MASK 3ULL

#endif
