// SPDX-License-Identifier: MIT
/*
 * hv/svm/svm_cpu_hw.c - SVM on the physical CPU (hv/svm/svm_cpu.h): the feature
 * probe, EFER.SVME and VM_HSAVE_PA, and the host state pages.
 * Bits and MSRs from the AMD64 APM vol. 2 §15.4 (enabling SVM) and
 * §15.30 (SVM MSRs); CPUID from the APM vol. 3 appendix E.
 */
#include "hv/svm/svm_cpu.h"
#include "hv/x86/cpu.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define EFER_SVME BIT(12)
#define MSR_VM_CR 0xc0010114u
#define VM_CR_SVMDIS BIT(4)
#define MSR_VM_HSAVE_PA 0xc0010117u

#define CPUID_EXT_ECX_SVM BIT(2)
#define CPUID_SVM 0x8000000au
#define CPUID_SVM_EDX_NP BIT(0)

/* The host save area VMRUN writes (VM_HSAVE_PA) and the page
 * svm_vmrun() VMSAVEs the host's extra state into. The payload maps
 * memory 1:1, so their addresses are their physical addresses. */
static u8 hsave_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static u8 host_save_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static bool svm_enabled;

/* The vendor (CPUID 0: EBX, EDX, ECX) is one that implements SVM, AMD or
 * Hygon, as KVM's kvm_is_svm_supported() requires. */
static bool svm_vendor(void)
{
	u32 a, v[3];

	cpuid(0, 0, &a, &v[0], &v[2], &v[1]);
	return !memcmp(v, "AuthenticAMD", 12) || !memcmp(v, "HygonGenuine", 12);
}

const char *svm_cpu_lacks(void)
{
	u32 a, b, c, d;

	if (!svm_vendor())
		return "no SVM: not an AMD or Hygon CPU";
	cpuid(CPUID_EXT_MAX, 0, &a, &b, &c, &d);
	if (a < CPUID_SVM)
		return "no SVM: CPUID has no leaf 8000_000A";
	cpuid(CPUID_EXT_FEATURES, 0, &a, &b, &c, &d);
	if (!(c & CPUID_EXT_ECX_SVM))
		return "no SVM: CPUID 8000_0001 ECX bit 2 clear";
	/*
	 * QEMU's TCG runs nested paging whatever this bit says (helper_vmrun()
	 * in target/i386/tcg/sysemu/svm_helper.c looks at the VMCB's
	 * NP_ENABLE only), but hardware does not: the hypervisor needs NPT,
	 * so it requires the bit.
	 */
	cpuid(CPUID_SVM, 0, &a, &b, &c, &d);
	if (!(d & CPUID_SVM_EDX_NP))
		return "no NPT: CPUID 8000_000A EDX bit 0 clear";
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return "SVM disabled by firmware (VM_CR.SVMDIS)";
	return NULL;
}

u32 svm_cpu_nasid(void)
{
	u32 a, b, c, d;

	cpuid(CPUID_SVM, 0, &a, &b, &c, &d);
	return b;
}

u32 svm_cpu_features(void)
{
	u32 a, b, c, d;

	cpuid(CPUID_SVM, 0, &a, &b, &c, &d);
	return d & SVM_FEAT_USED;
}

int svm_cpu_enable(void)
{
	if (svm_enabled)
		return 0;
	if (svm_cpu_lacks())
		return -ENODEV;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, (phys_addr_t)hsave_page);
	svm_enabled = true;
	return 0;
}

phys_addr_t svm_cpu_host_save_pa(void)
{
	return (phys_addr_t)host_save_page;
}
