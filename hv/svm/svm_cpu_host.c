// SPDX-License-Identifier: MIT
/*
 * hv/svm/svm_cpu_host.c - the host build's half of hv/svm/svm_cpu.h: a Linux
 * process has no SVM, so the probe says so and nothing else is reached.
 * The Makefile picks this file for host builds, svm_cpu_hw.c for the
 * payload.
 */
#include "hv/svm/svm_cpu.h"
#include "lib/console.h"
#include "lib/errno.h"

const char *svm_cpu_lacks(void)
{
	return "no SVM: host build";
}

u32 svm_cpu_nasid(void)
{
	return 0;
}

u32 svm_cpu_features(void)
{
	return 0;
}

int svm_cpu_enable(void)
{
	return -ENODEV;
}

phys_addr_t svm_cpu_host_save_pa(void)
{
	return 0;
}

/* Never reached: no vCPU exists without svm_cpu_enable() succeeding. */
void svm_vmrun(phys_addr_t vmcb_pa, struct svm_gprs *g,
	       phys_addr_t host_save_pa)
{
	panic("svm_vmrun in the host build");
}
