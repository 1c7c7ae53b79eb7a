// SPDX-License-Identifier: MIT
/*
 * hv/vmx/vmx_dump.c - printable state of a VMX vCPU and its last exit,
 * for diagnostics: the exit reason and its name, the qualification, GPA
 * and interruption information, the instruction pointer, every general
 * register and CR3, and for an EPT exit the EPT entries walked for its
 * GPA (an EPT misconfiguration names no entry: the walk shows it).
 * Printed as KTAP "# " lines so that a dump inside a test run keeps the
 * output parseable.
 */
#include "hv/vmx/vmx.h"
#include "hv/x86/state_dump.h"
#include "lib/fmt.h"

static int format_walk(char *buf, size_t n, const struct vmx_vcpu *v)
{
	const struct vmx_exit_info *e = &v->exit;
	u32 basic = e->reason & 0xffff;
	struct npt_xlate xl = {0};
	int len, ret;

	if (e->result != VMX_ENTERED || (basic != VMX_EXIT_EPT_VIOLATION &&
					 basic != VMX_EXIT_EPT_MISCONFIG))
		return 0;
	ret = npt_lookup(&v->vmx->npt, e->gpa, &xl);
	len = gmv_snprintf(buf, n, "ept walk of gpa 0x%llx (%s):",
			   (unsigned long long)e->gpa,
			   ret ? "no translation" : "mapped");
	for (unsigned int i = 0; i < xl.depth; i++)
		len += gmv_snprintf(buf + MIN((size_t)len, n),
				    n - MIN((size_t)len, n), " 0x%llx",
				    (unsigned long long)xl.entries[i]);
	len += gmv_snprintf(buf + MIN((size_t)len, n), n - MIN((size_t)len, n),
			    "\n");
	return len;
}

int vmx_format_state(char *buf, size_t n, const struct vmx_vcpu *v)
{
	const struct vmx_exit_info *e = &v->exit;
	const struct vmx_gprs *g = &v->gprs;
	const u64 gpr[X86_NR_GPRS] = {
		g->rax, g->rbx, g->rcx, g->rdx, g->rsi, g->rdi, g->rbp, g->r8,
		g->r9,	g->r10, g->r11, g->r12, g->r13, g->r14, g->r15,
	};
	int len;

	len = gmv_snprintf(
		buf, n,
		"exit %#x %s qual 0x%llx gpa 0x%llx intr 0x%x idt 0x%x "
		"entry %u error %u\n"
		"rip 0x%016llx rsp 0x%016llx rflags 0x%llx cs 0x%x vpid %u\n",
		e->reason, vmx_exit_name(e->reason),
		(unsigned long long)e->qual, (unsigned long long)e->gpa,
		e->intr_info, e->idt_info, e->result, e->insn_error,
		(unsigned long long)v->rip, (unsigned long long)v->rsp,
		(unsigned long long)v->rflags, v->cs_sel, v->vpid);
	len += x86_format_gprs(buf + MIN((size_t)len, n),
			       n - MIN((size_t)len, n), gpr);
	len += gmv_snprintf(buf + MIN((size_t)len, n), n - MIN((size_t)len, n),
			    "cr3 0x%llx eptp 0x%llx\n",
			    (unsigned long long)v->cr3,
			    (unsigned long long)v->vmx->eptp);
	return len + format_walk(buf + MIN((size_t)len, n),
				 n - MIN((size_t)len, n), v);
}

void vmx_dump(const struct vmx_vcpu *v, const char *why)
{
	char buf[1024];

	vmx_format_state(buf, sizeof(buf), v);
	x86_print_state("vmx", v->index, why, buf);
}
