/* SPDX-License-Identifier: MIT */
/*
 * hv/vcpu_int.h - the layout of a vCPU, shared by vcpu.c (the objects and
 * the run loop) and vcpu_exit.c (the exit policy) only.
 */
#ifndef GMV_HV_VCPU_INT_H
#define GMV_HV_VCPU_INT_H

#include "hv/arch.h"
#include "hv/vcpu.h"
#include "hv/x86/insn_decode.h"

/* Consecutive identical nested faults after which the run stops with an
 * internal error instead of looping. */
#define VCPU_FAULT_REPEAT_MAX 16

/* What the last exit owes the guest on the next run. */
enum vcpu_pending {
	VCPU_PENDING_NONE,
	VCPU_PENDING_OUT, /* step over the OUT */
	VCPU_PENDING_IN, /* exit.io.data into AL/AX/EAX, then step */
	VCPU_PENDING_HYPERCALL, /* exit.hypercall.ret into RAX, then step */
	VCPU_PENDING_MMIO, /* complete the MOV, then step */
	VCPU_PENDING_CC, /* the VM's model completes (cc_ops.guest_complete) */
};

struct vcpu {
	struct vm *vm;
	const struct arch_ops *ops; /* the VM's backend */
	struct arch_vm *avm;
	struct arch_vcpu *arch;
	unsigned int index; /* in its VM */
	/* The deadline of the run in progress (hv/deadline.h), 0: none. */
	u64 deadline;
	/* Completion owed by the last exit. */
	enum vcpu_pending pending;
	u64 pending_rip; /* RIP of the instruction to complete */
	u64 pending_next; /* RIP after it */
	u8 pending_io_size;
	struct insn pending_insn;
	/* An exception the VM's model asked to inject while it handled a
	 * request: delivered once the request's registers are written back
	 * (the delivery itself moves RIP, RSP and RFLAGS). */
	bool inject_owed;
	u8 inject_vector;
	u32 inject_error;
	/* The repeat-fault guard. */
	u64 last_fault_gpa, last_fault_rip;
	unsigned int fault_repeat;
	/* Why the last SHUTDOWN or INTERNAL_ERROR exit happened: room for
	 * a model's name and its whole reason (struct cc_guest_req.why). */
	char why[128];
};

/* What vcpu_handle_exit() returns besides -errno. */
#define VCPU_RESUME 0 /* enter the guest again */
#define VCPU_TO_CASE 1 /* *exit is filled for the case */

/* A new guest state: nothing owed, no fault seen. */
void vcpu_exit_reset(struct vcpu *c);
/* Apply what the last exit owed the guest, with the case's results from
 * *exit. VCPU_RESUME, VCPU_TO_CASE when the VM's model has the request's
 * next exit for the case (in *exit, the guest not run), or -errno when
 * the model could not (c->why says). */
int vcpu_complete(struct vcpu *c, struct vmm_exit *exit);
/*
 * What the exit x means: VCPU_RESUME, VCPU_TO_CASE with *exit filled, or
 * -errno with *exit filled (-EINTR once the run's deadline has passed
 * when the guest would be resumed; -EFAULT or -ENOMEM with a memory-fault
 * exit).
 */
int vcpu_handle_exit(struct vcpu *c, const struct arch_exit *x,
		     struct vmm_exit *exit);

#endif
