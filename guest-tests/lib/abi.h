/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/lib/abi.h - what a test guest and the host side agree on:
 * the guest physical layout the loader builds, the header at the start of
 * every guest image, and the report channel ("ucall"). Included by guest
 * code and by the host-side loader and runner; guest-tests/README.md is
 * the prose version of this contract.
 */
#ifndef GMV_GUEST_TESTS_LIB_ABI_H
#define GMV_GUEST_TESTS_LIB_ABI_H

#include "lib/types.h"

/*
 * Guest physical layout. Low memory is one normal memslot holding the
 * page tables, the image and its stack; everything the guest reaches is
 * identity mapped (GVA == GPA) with 2 MiB pages up to GUEST_MAP_LIMIT.
 */
#define GUEST_LOW_SLOT 0		 /* memslot id of low memory */
#define GUEST_LOW_SIZE (4UL << 20)	 /* low memory is [0, 4 MiB) */
#define GUEST_PML4_GPA 0x1000UL		 /* PML4, then the PDPT, then PDs */
#define GUEST_MAP_LIMIT (8ULL << 30)	 /* identity map covers [0, 8 GiB) */
#define GUEST_IMAGE_GPA 0x100000UL	 /* where linker.ld links images */
#define GUEST_TEST_GPA (4ULL << 30)	 /* first GPA for test regions */
/* In a TD (GMV_VM_TDX) the shared bit: GPA bit 47 with the 48-bit GPA
 * width gmemvisor's TDs have (Intel TDX base architecture spec, "GPA
 * Shared Bit"). Low memory is shared there: its tables carry the bit. */
#define GUEST_TDX_SHARED_BIT (1ULL << 47)

/* The image header: the first bytes of every image (linker.ld keeps the
 * .guest_header section first). Addresses are guest addresses. */
#define GUEST_IMAGE_MAGIC 0x31474d47554d4d56ULL /* "VMMUGMG1" */
struct guest_image_header {
	u64 magic;
	u64 load;      /* address of the first byte of the image */
	u64 entry;     /* first instruction */
	u64 stack_top; /* initial rsp */
	u64 end;       /* end of .bss and stack: [load, end) is the image */
	u64 flags;     /* GUEST_IMAGE_*, from GUEST_PROGRAM_AT_CPL0() and
			* the loader */
};

/* The program runs at CPL0, not CPL3: it makes hypercalls, which KVM
 * takes only from CPL0 (arch/x86/kvm/x86.c kvm_emulate_hypercall()). A
 * plain number: guest.h also uses it in assembly. */
#define GUEST_IMAGE_CPL0 1
/* Set by the loader, never by the image: the CPU is Intel's, whose
 * hypercall instruction is VMCALL (VMMCALL raises #UD there, as VMCALL
 * does on AMD). The guest runtime reads it in guest_hypercall(). */
#define GUEST_IMAGE_VMCALL 2

/*
 * The ucall: the guest fills a struct guest_ucall in its own memory and
 * writes the struct's GPA with one 32-bit OUT to GUEST_UCALL_PORT. The
 * host reads the struct through vmm_ops.guest_read and re-enters the
 * guest, which then continues (SYNC, PRINT) or stops for good.
 */
#define GUEST_UCALL_PORT 0x00e8
/* A port the harness case uses for plain IN/OUT traffic. */
#define GUEST_TEST_PORT 0x00ea

enum guest_ucall_cmd {
	UCALL_DONE = 1,	 /* the guest finished */
	UCALL_SYNC,	 /* args[0] = stage, args[1] = arg: do a host step */
	UCALL_ASSERT,	 /* text = expression; args[0], args[1] = values if
			  * args[2] != 0 */
	UCALL_PRINT,	 /* text = message */
};

#define UCALL_FILE_LEN 64
#define UCALL_TEXT_LEN 192

struct guest_ucall {
	u64 cmd;
	u64 line;
	u64 args[3];
	char file[UCALL_FILE_LEN]; /* NUL-terminated, truncated from the left */
	char text[UCALL_TEXT_LEN]; /* NUL-terminated */
};

#endif
