// SPDX-License-Identifier: MIT
/*
 * hv/svm/svm_dump.c - printable state of a vCPU and its last exit, for
 * diagnostics: the exit code and its name, EXITINFO1/2, EXITINTINFO, the
 * instruction pointer, every general register, the control registers and
 * EFER. Printed as KTAP "# " lines so that a dump inside a test run keeps
 * the output parseable.
 */
#include "hv/svm/svm.h"
#include "lib/console.h"
#include "lib/fmt.h"

int svm_format_state(char *buf, size_t n, const struct vmcb *vmcb,
		     const struct svm_gprs *g)
{
	const struct vmcb_control *c = &vmcb->ctl;
	const struct vmcb_save *st = &vmcb->save;

	return gmv_snprintf(
		buf, n,
		"exit 0x%llx %s info1 0x%llx info2 0x%llx intinfo 0x%llx\n"
		"rip 0x%016llx rsp 0x%016llx rflags 0x%llx cpl %u\n"
		"rax 0x%016llx rbx 0x%016llx rcx 0x%016llx rdx 0x%016llx\n"
		"rsi 0x%016llx rdi 0x%016llx rbp 0x%016llx r8  0x%016llx\n"
		"r9  0x%016llx r10 0x%016llx r11 0x%016llx r12 0x%016llx\n"
		"r13 0x%016llx r14 0x%016llx r15 0x%016llx\n"
		"cr0 0x%llx cr2 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx\n",
		(unsigned long long)c->exit_code, svm_exit_name(c->exit_code),
		(unsigned long long)c->exit_info1,
		(unsigned long long)c->exit_info2,
		(unsigned long long)c->exit_int_info,
		(unsigned long long)st->rip, (unsigned long long)st->rsp,
		(unsigned long long)st->rflags, st->cpl,
		(unsigned long long)st->rax, (unsigned long long)g->rbx,
		(unsigned long long)g->rcx, (unsigned long long)g->rdx,
		(unsigned long long)g->rsi, (unsigned long long)g->rdi,
		(unsigned long long)g->rbp, (unsigned long long)g->r8,
		(unsigned long long)g->r9, (unsigned long long)g->r10,
		(unsigned long long)g->r11, (unsigned long long)g->r12,
		(unsigned long long)g->r13, (unsigned long long)g->r14,
		(unsigned long long)g->r15, (unsigned long long)st->cr0,
		(unsigned long long)st->cr2, (unsigned long long)st->cr3,
		(unsigned long long)st->cr4, (unsigned long long)st->efer);
}

void svm_dump(const struct svm_vcpu *v, const char *why)
{
	char buf[768];
	const char *line = buf;

	svm_format_state(buf, sizeof(buf), v->vmcb, &v->gprs);
	kprintf("# svm: vCPU %u: %s\n", v->index, why);
	for (const char *p = buf; *p; p++) {
		if (*p != '\n')
			continue;
		kprintf("#   %.*s\n", (int)(p - line), line);
		line = p + 1;
	}
}
