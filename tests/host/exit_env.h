/* SPDX-License-Identifier: MIT */
/*
 * tests/host/exit_env.h - a scripted guest of a security model's VM for
 * the host suites that drive the model's guest side end to end (snp_exit,
 * tdx_exit): a VM of the model's type through hv/vmm.h, guest page
 * tables and code bytes in its memory, and a vCPU on the scripted
 * backend (hv/arch_script.h) whose run() plays the exits a case pushes,
 * so that vcpu_run(), the exit policy, the fault path and the model's
 * cc_ops run as for a real guest. Owns that environment: the VM, the
 * script, the fake deadline timer and the backend it installs, and what
 * it puts back at the end.
 *
 * Layout. Slot 0: 2 MiB of ordinary memory at GPA 0 holding the guest's
 * tables and its code at ENV_CODE_GPA: PML4 0x1000, PDPT 0x2000, PD
 * 0x3000 mapping GVA [0, 1 GiB) to GPA [0, 1 GiB) as shared memory, PD
 * 0x4000 mapping GVA [1 GiB, 2 GiB) (ENV_PRIVATE_VA) to the same GPAs as
 * private memory. Which kind an address is goes by the model's alias bit
 * (hv/cc.h): SNP's C-bit marks the private ones, TDX's shared bit the
 * shared ones (CR3 and the table pointers carry it too). The tables and
 * the code are mapped before the first run. Slot 1: 2 MiB of gmem at
 * ENV_GMEM_GPA (not in place: shared accesses use the slot's own memory);
 * slot 2: 2 MiB of ordinary memory at ENV_PLAIN_GPA.
 */
#ifndef GMV_TESTS_HOST_EXIT_ENV_H
#define GMV_TESTS_HOST_EXIT_ENV_H

#include "hv/arch_script.h"
#include "hv/deadline.h"
#include "hv/vmm_native.h"
#include "lib/ktap.h"

#define ENV_CODE_GPA 0x10000ULL
#define ENV_STACK_TOP 0x20000ULL
#define ENV_GMEM_GPA 0x200000ULL
#define ENV_PLAIN_GPA 0x400000ULL
/* The guest's private mapping of gpa (below 1 GiB). */
#define ENV_PRIVATE_VA(gpa) ((1ULL << 30) + (gpa))
/* Steps pushed and not yet run, at most. */
#define ENV_STEPS 32

/* One exit of the script, and the registers the guest set before it. */
struct step {
	struct arch_exit x; /* x.rip 0: the vCPU's RIP */
	u64 regs[ARCH_NR_REGS];
	u32 set; /* BIT(r): regs[r] is written first */
};

struct env {
	struct vmm_native st;
	struct vmm v;
	int vm, gmem, vcpu;
	struct vm *obj;
	struct vmm_exit x; /* the last run's exit, and the case's answer */
	const struct arch_ops *saved_arch;
	struct deadline_timer saved_timer;
	bool had_timer;
	struct step steps[ENV_STEPS];
	unsigned int n, next;
	const struct env_model *model;
	struct arch_vcpu *c; /* the vCPU the script last ran */
	struct {
		unsigned int injects;
		u8 vector;
		u32 error_code;
	} direct; /* what env_access() saw the model inject */
};

/* The security model a suite's VMs run, and its guest's code. */
struct env_model {
	unsigned long type; /* GMV_VM_* */
	const char *name; /* the cc_ops the VM must get */
	const u8 *code; /* at ENV_CODE_GPA */
	size_t len;
	/* The model's global state is gone with its last VM. */
	bool (*gone)(void);
};

/*
 * Open *e on a VM of the model with the slots and code above; a vCPU
 * entered at ENV_CODE_GPA when vcpu. False after a failed expectation;
 * env_close() is due either way.
 */
bool env_open(struct kt *t, struct env *e, const struct env_model *m,
	      bool vcpu);
/* Another vCPU, entered at ENV_CODE_GPA; e->vcpu is the new one. */
bool env_add_vcpu(struct kt *t, struct env *e);
/* Release everything (nothing may leak, the checker must pass, the
 * model must be gone) and put the backend and the timer back. */
void env_close(struct kt *t, struct env *e);

/*
 * Define a case whose body gets an env open on model m (and a vCPU when
 * vcpu); the wrapper closes it, also when the open failed or the body
 * returned early.
 */
#define ENV_CASE(name, m, vcpu)                               \
	static void name##_body(struct kt *t, struct env *e); \
	static void name(struct kt *t)                        \
	{                                                     \
		static struct env e;                          \
                                                              \
		if (env_open(t, &e, m, vcpu))                 \
			name##_body(t, &e);                   \
		env_close(t, &e);                             \
	}                                                     \
	static void name##_body(struct kt *t, struct env *e)

/* Append an exit to the script; the returned step may set registers. */
struct step *env_push(struct env *e, struct arch_exit x);
void env_set(struct step *s, enum arch_reg r, u64 val);
/* An exit of the instruction at code offset off (RIP set there). */
struct step *env_at(struct env *e, struct arch_exit x, u64 off);
/* A nested fault at gpa (alias bit as the access had it). */
struct arch_exit env_fault(u64 gpa, bool write);
/* #UD, as a confidential-computing instruction raises it under QEMU. */
struct arch_exit env_ud(void);

/* vcpu_run() of e->vcpu into e->x. */
int env_run(struct env *e);
/* Run to an HLT exit pushed last; RIP must be rip + 1 after it. */
bool env_run_to_hlt(struct kt *t, struct env *e, u64 rip);
/* A register of e->vcpu as the case sees it (KVM_GET/SET_REGS; any
 * but CR3). */
u64 env_get(struct env *e, enum arch_reg r);
void env_put(struct env *e, enum arch_reg r, u64 val);
/* What the vCPU the script last ran saw (after a first run). */
const struct arch_script_stats *env_stats(struct env *e);

/*
 * The model's cc_ops.access called directly, as the fault path calls it
 * for vCPU 0 (no vCPU runs): a private access to gpa resolved to the
 * page at pa, *order in and out; an exception it injects is counted in
 * e->direct. env_access() takes the prepared private page behind gpa.
 */
int env_access_at(struct env *e, u64 gpa, phys_addr_t pa, unsigned int *order);
int env_access(struct env *e, u64 gpa, unsigned int *order);

/* The memory, as the VMM's case reaches it. */
int env_region(struct env *e, u32 slot, u32 flags, u64 gpa, int gmem);
int env_set_private(struct env *e, u64 gpa, u64 len, bool private);
int env_wr64(struct env *e, u64 gpa, u64 val);
u64 env_rd64(struct env *e, u64 gpa);
/* Map the shared page at gpa as a guest access would. */
int env_touch(struct env *e, u64 gpa);
/* The translation at exactly gpa (no alias tried), 0 or -ENOENT. */
int env_npt_at(struct env *e, u64 gpa, struct arch_xlate *x);
/* The page behind a private gfn that is prepared already, 0 if none. */
phys_addr_t env_private_pa(struct env *e, u64 gpa);

#endif
