// SPDX-License-Identifier: MIT
/*
 * guest-tests/runner.c - the run loop of test guests (see runner.h).
 */
#include "guest-tests/runner.h"
#include "guest-tests/image.h"
#include "guest-tests/loader.h"
#include "guest-tests/lib/abi.h"
#include "hv/kvm_abi.h"
#include "lib/errno.h"
#include "lib/mem.h"

int guest_create(struct vmm *v, unsigned long type, struct guest *g)
{
	*g = (struct guest){ .v = v, .vm = VMM_BAD_HANDLE,
			     .vcpu = VMM_BAD_HANDLE };
	g->vm = v->ops->create_vm(v, type);
	if (g->vm < 0)
		return g->vm;
	if (type == GMV_VM_TDX)
		g->low_bits = GUEST_TDX_SHARED_BIT;
	return guest_setup_low_memory(v, g->vm, g->low_bits);
}

int guest_start(struct guest *g, const char *name, u64 arg0, u64 arg1)
{
	const struct guest_image *img = guest_image_find(name);
	struct vmm *v = g->v;
	struct vmm_entry e = { .arg0 = arg0, .arg1 = arg1 };
	int ret;

	if (!img)
		return -ENOENT;
	g->image = name;
	ret = guest_load_image(v, g->vm, img, &e);
	if (ret)
		return ret;
	e.cr3 |= g->low_bits;
	g->vcpu = v->ops->create_vcpu(v, g->vm);
	if (g->vcpu < 0)
		return g->vcpu;
	return v->ops->vcpu_enter(v, g->vcpu, &e);
}

static const char *exit_name(u32 reason)
{
	switch (reason) {
	case GMV_EXIT_IO:
		return "IO";
	case GMV_EXIT_HYPERCALL:
		return "HYPERCALL";
	case GMV_EXIT_HLT:
		return "HLT";
	case GMV_EXIT_MMIO:
		return "MMIO";
	case GMV_EXIT_SHUTDOWN:
		return "SHUTDOWN";
	case GMV_EXIT_INTR:
		return "INTR";
	case GMV_EXIT_INTERNAL_ERROR:
		return "INTERNAL_ERROR";
	case GMV_EXIT_MEMORY_FAULT:
		return "MEMORY_FAULT";
	default:
		return "other";
	}
}

static void dump_regs(struct kt *t, struct guest *g)
{
	struct vmm_regs r;

	if (g->vcpu < 0 || g->v->ops->vcpu_get_regs(g->v, g->vcpu, &r))
		return;
	kt_diag(t, "rip %#llx rsp %#llx rflags %#llx rax %#llx rbx %#llx",
		(unsigned long long)r.rip, (unsigned long long)r.rsp,
		(unsigned long long)r.rflags, (unsigned long long)r.rax,
		(unsigned long long)r.rbx);
	kt_diag(t, "rcx %#llx rdx %#llx rsi %#llx rdi %#llx rbp %#llx",
		(unsigned long long)r.rcx, (unsigned long long)r.rdx,
		(unsigned long long)r.rsi, (unsigned long long)r.rdi,
		(unsigned long long)r.rbp);
	kt_diag(t, "r8 %#llx r9 %#llx r10 %#llx r11 %#llx r12 %#llx "
		"r13 %#llx r14 %#llx r15 %#llx",
		(unsigned long long)r.r8, (unsigned long long)r.r9,
		(unsigned long long)r.r10, (unsigned long long)r.r11,
		(unsigned long long)r.r12, (unsigned long long)r.r13,
		(unsigned long long)r.r14, (unsigned long long)r.r15);
}

void guest_dump_exit(struct kt *t, struct guest *g, int ret,
		     const struct vmm_exit *e)
{
	kt_diag(t, "guest %s: vcpu_run returned %s, exit reason %u (%s), "
		"exit %llu", g->image ? g->image : "(none)", errno_name(ret),
		e->reason, exit_name(e->reason), (unsigned long long)g->exits);
	switch (e->reason) {
	case GMV_EXIT_IO:
		kt_diag(t, "port %#x size %u %s count %u data %#llx",
			e->io.port, e->io.size, e->io.in ? "in" : "out",
			e->io.count, (unsigned long long)e->io.data);
		break;
	case GMV_EXIT_MMIO:
		kt_diag(t, "gpa %#llx len %u %s data %#llx",
			(unsigned long long)e->mmio.gpa, e->mmio.len,
			e->mmio.is_write ? "write" : "read",
			(unsigned long long)e->mmio.data);
		break;
	case GMV_EXIT_MEMORY_FAULT:
		kt_diag(t, "flags %#llx gpa %#llx size %#llx",
			(unsigned long long)e->memory_fault.flags,
			(unsigned long long)e->memory_fault.gpa,
			(unsigned long long)e->memory_fault.size);
		break;
	case GMV_EXIT_HYPERCALL:
		kt_diag(t, "nr %llu args %#llx %#llx %#llx %#llx",
			(unsigned long long)e->hypercall.nr,
			(unsigned long long)e->hypercall.args[0],
			(unsigned long long)e->hypercall.args[1],
			(unsigned long long)e->hypercall.args[2],
			(unsigned long long)e->hypercall.args[3]);
		break;
	case GMV_EXIT_HLT:
		break;
	default:
		kt_diag(t, "code %#llx info %#llx %#llx rip %#llx",
			(unsigned long long)e->other.code,
			(unsigned long long)e->other.info1,
			(unsigned long long)e->other.info2,
			(unsigned long long)e->other.rip);
		break;
	}
	dump_regs(t, g);
}

static void unexpected(struct kt *t, struct guest *g, int ret,
		       const struct vmm_exit *e)
{
	if (ret == -EINTR)
		kt_check(t, false, __FILE__, __LINE__,
			 "guest %s made no exit within the backend's time "
			 "limit (spinning?)", g->image);
	else
		kt_check(t, false, __FILE__, __LINE__,
			 "guest %s: unexpected exit: vcpu_run %s, %s (%u)",
			 g->image, errno_name(ret), exit_name(e->reason),
			 e->reason);
	guest_dump_exit(t, g, ret, e);
}

static bool is_ucall(int ret, const struct vmm_exit *e)
{
	return !ret && e->reason == GMV_EXIT_IO &&
	       e->io.port == GUEST_UCALL_PORT && !e->io.in &&
	       e->io.size == 4 && e->io.count == 1;
}

/* A failed GUEST_ASSERT as a failed check at the guest's file:line. */
static void report_assert(struct kt *t, struct guest *g,
			  const struct guest_ucall *uc)
{
	if (uc->args[2])
		kt_check(t, false, uc->file, (int)uc->line,
			 "guest %s: GUEST_ASSERT_EQ(%s) failed: %#llx (%lld) "
			 "vs %#llx (%lld)",
			 g->image, uc->text, (unsigned long long)uc->args[0],
			 (long long)uc->args[0],
			 (unsigned long long)uc->args[1],
			 (long long)uc->args[1]);
	else
		kt_check(t, false, uc->file, (int)uc->line,
			 "guest %s: GUEST_ASSERT(%s) failed", g->image,
			 uc->text);
}

/* Internal outcome of one ucall: an action, or "the guest is done". */
#define UCALL_OUTCOME_DONE (-1)

static int do_ucall(struct kt *t, struct guest *g,
		    const struct guest_handlers *h, const struct vmm_exit *e)
{
	struct guest_ucall uc;
	int ret = g->v->ops->guest_read(g->v, g->vm, e->io.data, &uc,
					sizeof(uc));

	if (!KT_EXPECT_OK(t, ret))
		return GUEST_ABORT;
	uc.file[UCALL_FILE_LEN - 1] = '\0';
	uc.text[UCALL_TEXT_LEN - 1] = '\0';
	switch (uc.cmd) {
	case UCALL_DONE:
		return UCALL_OUTCOME_DONE;
	case UCALL_SYNC:
		g->stage = uc.args[0];
		return h->sync ? h->sync(t, g, uc.args[0], uc.args[1]) :
				 GUEST_UNHANDLED;
	case UCALL_PRINT:
		kt_diag(t, "guest %s: %s:%llu: %s", g->image, uc.file,
			(unsigned long long)uc.line, uc.text);
		return GUEST_RESUME;
	case UCALL_ASSERT:
		if (h->assert_failed)
			return h->assert_failed(t, g, &uc);
		report_assert(t, g, &uc);
		return GUEST_ABORT;
	default:
		kt_check(t, false, __FILE__, __LINE__,
			 "guest %s: unknown ucall %llu from %s:%llu", g->image,
			 (unsigned long long)uc.cmd, uc.file,
			 (unsigned long long)uc.line);
		return GUEST_ABORT;
	}
}

enum guest_result guest_run(struct kt *t, struct guest *g,
			    const struct guest_handlers *h)
{
	struct vmm_exit exit;

	memset(&exit, 0, sizeof(exit));
	for (;;) {
		int ret, a;

		if (g->exits >= GUEST_MAX_EXITS) {
			kt_check(t, false, __FILE__, __LINE__,
				 "guest %s: more than %d exits", g->image,
				 GUEST_MAX_EXITS);
			return GUEST_RUN_FAILED;
		}
		ret = g->v->ops->vcpu_run(g->v, g->vcpu, &exit);
		g->exits++;
		if (is_ucall(ret, &exit))
			a = do_ucall(t, g, h, &exit);
		else
			a = h->exit ? h->exit(t, g, ret, &exit) :
				      GUEST_UNHANDLED;
		switch (a) {
		case GUEST_RESUME:
			continue;
		case UCALL_OUTCOME_DONE:
			return GUEST_RUN_DONE;
		case GUEST_END:
			return GUEST_RUN_ENDED;
		case GUEST_UNHANDLED:
			unexpected(t, g, ret, &exit);
			return GUEST_RUN_FAILED;
		default:
			return GUEST_RUN_FAILED;
		}
	}
}
