// SPDX-License-Identifier: MIT
/*
 * hv/svm/svm_dump.c - printable state of a vCPU and its last exit, for
 * diagnostics: the exit code and its name, EXITINFO1/2, EXITINTINFO, the
 * instruction pointer, every general register, the control registers and
 * EFER. Printed as KTAP "# " lines so that a dump inside a test run keeps
 * the output parseable.
 */
#include "hv/svm/svm.h"
#include "hv/x86/state_dump.h"
#include "lib/fmt.h"

int svm_format_state(char *buf, size_t n, const struct vmcb *vmcb,
		     const struct svm_gprs *g)
{
	const struct vmcb_control *c = &vmcb->ctl;
	const struct vmcb_save *st = &vmcb->save;
	const u64 gpr[X86_NR_GPRS] = {
		st->rax, g->rbx, g->rcx, g->rdx, g->rsi, g->rdi, g->rbp, g->r8,
		g->r9,	 g->r10, g->r11, g->r12, g->r13, g->r14, g->r15,
	};
	int len;

	len = gmv_snprintf(
		buf, n,
		"exit 0x%llx %s info1 0x%llx info2 0x%llx intinfo 0x%llx\n"
		"rip 0x%016llx rsp 0x%016llx rflags 0x%llx cpl %u\n",
		(unsigned long long)c->exit_code, svm_exit_name(c->exit_code),
		(unsigned long long)c->exit_info1,
		(unsigned long long)c->exit_info2,
		(unsigned long long)c->exit_int_info,
		(unsigned long long)st->rip, (unsigned long long)st->rsp,
		(unsigned long long)st->rflags, st->cpl);
	len += x86_format_gprs(buf + MIN((size_t)len, n),
			       n - MIN((size_t)len, n), gpr);
	len += gmv_snprintf(
		buf + MIN((size_t)len, n), n - MIN((size_t)len, n),
		"cr0 0x%llx cr2 0x%llx cr3 0x%llx cr4 0x%llx "
		"efer 0x%llx\n",
		(unsigned long long)st->cr0, (unsigned long long)st->cr2,
		(unsigned long long)st->cr3, (unsigned long long)st->cr4,
		(unsigned long long)st->efer);
	return len;
}

void svm_dump(const struct svm_vcpu *v, const char *why)
{
	char buf[768];

	svm_format_state(buf, sizeof(buf), v->vmcb, &v->gprs);
	x86_print_state("svm", v->index, why, buf);
}
