// SPDX-License-Identifier: MIT
/*
 * plat/host/rmp_guard.c - the host build's half of the RMP host-write
 * guard (hv/snp/rmp.h, plat_rmp_guard()). hv_pool's memory is anonymous
 * mmap()ed memory (plat/host/test_mem.c) at addresses the core takes for
 * physical ones, so an assigned page is made read-only with mprotect()
 * and writable again once hypervisor-owned. A write to it then raises
 * SIGSEGV (SEGV_ACCERR), which is reported as the payload's #PF handler
 * reports it, "RMP violation: host write to ..." with the page's entry in
 * the current SNP RMP, and the process fails (plat_fail(): abort). Any
 * other SIGSEGV goes to the handler that was there before (the default,
 * or AddressSanitizer's), so sanitizer runs keep their own reports.
 */
#define _GNU_SOURCE /* REG_ERR */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "hv/snp/snp.h"
#include "lib/console.h"

/* #PF error code bit 1, write (AMD APM vol. 2 §8.4.2), as Linux passes
 * it in the signal context. */
#define PF_WRITE 2

static struct sigaction previous;
static bool installed;

/* The entry of the page at addr, if the current SNP RMP assigns it. */
static bool assigned_page(void *addr, struct rmp_info *i)
{
	struct rmp *r = snp_rmp();
	phys_addr_t pa = ALIGN_DOWN((phys_addr_t)addr, PAGE_SIZE);

	return r && rmpread(r, pa, i) == RMP_SUCCESS && i->assigned;
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	const ucontext_t *uc = ctx;
	struct rmp_info i;

	if (si->si_code == SEGV_ACCERR &&
	    (uc->uc_mcontext.gregs[REG_ERR] & PF_WRITE) &&
	    assigned_page(si->si_addr, &i))
		panic("RMP violation: host write to %p: RMP entry assigned "
		      "%d asid %u gpa %#llx size %s validated %d immutable "
		      "%d vmsa %d",
		      si->si_addr, i.assigned, i.asid,
		      (unsigned long long)i.gpa, i.size_2m ? "2M" : "4K",
		      i.validated, i.immutable, i.vmsa);
	if (previous.sa_flags & SA_SIGINFO) {
		previous.sa_sigaction(sig, si, ctx);
		return;
	}
	if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
		previous.sa_handler(sig);
		return;
	}
	/* The default action: the faulting access runs again and kills. */
	sigaction(SIGSEGV, &previous, NULL);
}

static void install(void)
{
	struct sigaction sa = {.sa_sigaction = on_segv,
			       .sa_flags = SA_SIGINFO | SA_ONSTACK};

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &previous))
		kprintf("# rmp guard: sigaction: %s\n", strerror(errno));
	installed = true;
}

void plat_rmp_guard(phys_addr_t pa, u64 size, bool writable)
{
	if (!installed)
		install();
	if (mprotect((void *)pa, size,
		     writable ? PROT_READ | PROT_WRITE : PROT_READ))
		kprintf("# rmp guard: cannot %s host writes to [%#llx, %#llx):"
			" mprotect: %s\n",
			writable ? "allow" : "refuse", (unsigned long long)pa,
			(unsigned long long)(pa + size), strerror(errno));
}
