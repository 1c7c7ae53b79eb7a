/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/cases/cc_case.h - the VMM side every confidential guest case
 * shares (guest-tests/cases/snp.c, tdx.c): a VM of the model's type whose
 * test region (CC_CASE_PAGES pages at GUEST_TEST_GPA, memslot 1) is a
 * guest_memfd, private from the start; conversions done as QEMU does
 * them (memory attributes, and a range made shared punched out of the
 * guest_memfd; or the guest_memfd's own in-place conversion); the
 * KVM_HC_MAP_GPA_RANGE exits a guest's page-state changes or MapGPA make,
 * logged and answered; implicit conversions (memory-fault exits); and
 * the launch (launch_update) of pages written while shared.
 */
#ifndef GMV_GUEST_TESTS_CASES_CC_CASE_H
#define GMV_GUEST_TESTS_CASES_CC_CASE_H

#include "guest-tests/cases/cases.h"
#include "guest-tests/host_mem.h"

#define CC_CASE_SLOT 1
#define CC_CASE_PAGES 1024 /* 4 MiB: two 2 MiB blocks */
#define CC_CASE_LEN (CC_CASE_PAGES * PAGE_SIZE)
#define CC_CASE_MAX_CALLS 16

struct cc_case {
	int gmem;
	/* KVM_HC_MAP_GPA_RANGE exits seen; those (1-based: bit n for the
	 * n-th) the VMM answers with 'answer' instead of converting;
	 * memory-fault exits seen. */
	unsigned int calls, faults;
	u64 odd_calls, answer;
	struct {
		u64 gpa, npages, attrs;
	} log[CC_CASE_MAX_CALLS];
	/* The gmem converts in place (VMM_FEAT_INPLACE_CONVERT): a page
	 * keeps its memory across conversions. */
	bool inplace;
	bool ended; /* the run ended as the case expected */
	u64 sync_arg[8];
};

/* A VM of 'type' with the test region; in place: an MMAP gmem, private
 * at first, else a gmem slot made private by attributes. False after a
 * failed check. */
bool cc_case_setup(struct kt *t, struct vmm *v, struct guest *g,
		   struct cc_case *s, unsigned long type, bool inplace);

/* A case that runs one test of guest program 'program' (test, then
 * GUEST_TEST_GPA, as its arguments) in a VM of 'type' set up as above to
 * GUEST_DONE with h (NULL: cc_case_handlers). */
void cc_case_run(struct kt *t, struct vmm *v, struct guest *g,
		 struct cc_case *s, unsigned long type, bool inplace,
		 const char *program, u64 test, const struct guest_handlers *h);

/* KVM_SET_MEMORY_ATTRIBUTES of [gpa, gpa + len): private or not. */
int cc_case_set_private(struct guest *g, u64 gpa, u64 len, bool private);

/* What QEMU does for a conversion (above). */
int cc_case_convert(struct guest *g, u64 gpa, u64 len, bool private);

/* The host's view of shared memory at gpa. */
struct mem_range cc_case_shared(struct guest *g, u64 gpa, u64 len);

/* Pages [gpa, gpa + len) filled with pattern 'seed' while shared, made
 * private and launched (launch_update). 0 or the first -errno. */
int cc_case_launch(struct guest *g, u64 gpa, u64 len, u64 seed);

/* The handlers' common parts: MAP_GPA_RANGE exits and memory faults
 * (GUEST_UNHANDLED for any other exit), SYNC args recorded. */
enum guest_action cc_case_exit(struct kt *t, struct guest *g, int ret,
			       struct vmm_exit *e);
enum guest_action cc_case_sync(struct kt *t, struct guest *g, u64 stage,
			       u64 arg);
extern const struct guest_handlers cc_case_handlers;
/* The same, but at SYNC(1, gpa) the host punches the page at gpa out of
 * the guest_memfd without the guest asking. */
extern const struct guest_handlers cc_case_punch_handlers;

/* One check where the backend shows its nested tables: the guest's page
 * at gpa is mapped at size want. */
void cc_case_expect_mapping(struct kt *t, struct guest *g, u64 gpa, u64 want);

#endif
