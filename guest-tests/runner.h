/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/runner.h - runs a test guest on a vCPU for a case and
 * services its exits through hv/vmm.h only, so the same case runs on every
 * backend.
 *
 * The runner owns the ucall protocol (guest-tests/lib/abi.h): SYNC goes to
 * the case's sync handler, PRINT becomes a diagnostic, DONE ends the run,
 * and a failed GUEST_ASSERT becomes a failed check carrying the guest's
 * file:line, expression and values. Every other exit (MMIO, memory fault,
 * hypercall, other port I/O) goes to the case's exit handler; an exit
 * nobody takes (SHUTDOWN, INTERNAL_ERROR, MMIO to nowhere, ...) fails the
 * case with the exit details and the registers. A run is bounded by
 * GUEST_MAX_EXITS exits, and each vcpu_run by the backend's time limit.
 */
#ifndef GMV_GUEST_TESTS_RUNNER_H
#define GMV_GUEST_TESTS_RUNNER_H

#include "hv/vmm.h"
#include "lib/ktap.h"
#include "guest-tests/lib/abi.h"

#define GUEST_MAX_EXITS 100000

/* What a handler tells the runner. */
enum guest_action {
	GUEST_RESUME,	 /* re-enter the guest */
	GUEST_END,	 /* the case is done with this guest (no failure) */
	GUEST_ABORT,	 /* a host step failed, already reported: stop */
	GUEST_UNHANDLED, /* not the case's: report it as an unexpected exit */
};

/* How a run ended. */
enum guest_result {
	GUEST_RUN_DONE,	  /* the guest reported GUEST_DONE */
	GUEST_RUN_ENDED,  /* a handler returned GUEST_END */
	GUEST_RUN_FAILED, /* a failure, already reported */
};

struct guest;

struct guest_handlers {
	/* GUEST_SYNC(stage, arg); NULL: every SYNC is unexpected. */
	enum guest_action (*sync)(struct kt *t, struct guest *g, u64 stage,
				  u64 arg);
	/* Any exit that is not a ucall, with vcpu_run's return value;
	 * answers (IN data, MMIO read data, hypercall result) go into
	 * *exit. NULL: every such exit is unexpected. */
	enum guest_action (*exit)(struct kt *t, struct guest *g, int ret,
				  struct vmm_exit *exit);
	/* A failed GUEST_ASSERT. NULL (the usual case): the runner fails
	 * the case with the guest's report. */
	enum guest_action (*assert_failed)(struct kt *t, struct guest *g,
					   const struct guest_ucall *uc);
};

/* One VM with low memory and, once started, one vCPU in a test guest. */
struct guest {
	struct vmm *v;
	int vm, vcpu;
	const char *image;
	void *data;  /* the case's state, for its handlers */
	u64 stage;   /* the last GUEST_SYNC stage, 0 before any */
	u64 exits;   /* vcpu_run calls so far */
	/* Address bits the guest's own tables put in every GPA of low
	 * memory (guest-tests/loader.h): TDX's shared bit in a TD. */
	u64 low_bits;
};

/*
 * Create a VM of 'type' with its low memory (guest_setup_low_memory) into
 * *g; the case then adds its own memslots. In a TD (GMV_VM_TDX) low
 * memory is shared: its tables carry GUEST_TDX_SHARED_BIT. 0 or the
 * backend's -errno.
 */
int guest_create(struct vmm *v, unsigned long type, struct guest *g);

/*
 * Load image 'name', create the vCPU and put it at the image entry with
 * arguments arg0, arg1. 0, -ENOENT for an unknown image, or the loader's
 * or backend's -errno.
 */
int guest_start(struct guest *g, const char *name, u64 arg0, u64 arg1);

/* Run the guest until it is done, a handler ends it, or a failure. */
enum guest_result guest_run(struct kt *t, struct guest *g,
			    const struct guest_handlers *h);

/* Print an exit (and, with a vCPU, the registers) as diagnostics. */
void guest_dump_exit(struct kt *t, struct guest *g, int ret,
		     const struct vmm_exit *exit);

#endif
