// SPDX-License-Identifier: MIT
/*
 * tests/payload/cpu_test.c - boot.cpu: the CPU state boot/ leaves behind:
 * its own GDT, TSS and IDT loaded, IST stacks in use, paging controls on,
 * interrupts off and a plausible TSC frequency.
 */
#include "boot/cpu.h"
#include "boot/exception.h"
#include "boot/gdt.h"
#include "boot/idt.h"
#include "boot/nmi_watchdog.h"
#include "boot/paging.h"
#include "boot/tsc.h"
#include "lib/ktap.h"
#include "tests/payload/boot_tests.h"

#define CR0_PG BIT(31)
#define CR4_PAE BIT(5)
#define RFLAGS_IF BIT(9)
#define DESC_TYPE_TSS_BUSY 0xb

static struct desc_ptr read_gdtr(void)
{
	struct desc_ptr d;

	asm volatile("sgdt %0" : "=m"(d));
	return d;
}

static struct desc_ptr read_idtr(void)
{
	struct desc_ptr d;

	asm volatile("sidt %0" : "=m"(d));
	return d;
}

static struct tss64 *current_tss(void)
{
	const u64 *gdt = (const u64 *)read_gdtr().base;
	u16 tr;
	u64 lo, hi;

	asm volatile("str %0" : "=r"(tr));
	lo = gdt[tr / 8];
	hi = gdt[tr / 8 + 1];
	return (struct tss64 *)((lo >> 16 & 0xffffff) | ((lo >> 56) << 24) |
				(hi << 32));
}

static void cpu_paging_controls(struct kt *t)
{
	KT_EXPECT(t, rdmsr(MSR_EFER) & EFER_NXE);
	KT_EXPECT(t, read_cr0() & CR0_WP);
	KT_EXPECT(t, read_cr0() & CR0_PG);
	KT_EXPECT(t, read_cr4() & CR4_PAE);
}

static void cpu_interrupts_off(struct kt *t)
{
	u64 rflags;

	asm volatile("pushfq; popq %0" : "=r"(rflags));
	KT_EXPECT_EQ(t, rflags & RFLAGS_IF, 0);
}

static void cpu_segments_are_ours(struct kt *t)
{
	struct desc_ptr gdtr = read_gdtr();
	u16 cs, ss, ds, tr;
	struct npt_xlate x;

	asm volatile("movw %%cs, %0" : "=r"(cs));
	asm volatile("movw %%ss, %0" : "=r"(ss));
	asm volatile("movw %%ds, %0" : "=r"(ds));
	asm volatile("str %0" : "=r"(tr));
	KT_EXPECT_EQ(t, cs, GDT_KERNEL_CS);
	KT_EXPECT_EQ(t, ss, GDT_KERNEL_DS);
	KT_EXPECT_EQ(t, ds, GDT_KERNEL_DS);
	KT_EXPECT_EQ(t, tr, GDT_TSS);
	KT_EXPECT_EQ(t, gdtr.limit, GDT_TSS + 16 - 1);
	/* ltr marked the TSS busy in our GDT, which lives in .data. */
	KT_EXPECT_EQ(t, ((const u64 *)gdtr.base)[GDT_TSS / 8] >> 40 & 0xf,
		     DESC_TYPE_TSS_BUSY);
	KT_ASSERT_OK(t, npt_lookup(paging_tables(), gdtr.base, &x));
	KT_EXPECT_EQ(t, x.prot, NPT_PROT_R | NPT_PROT_W);
}

static void cpu_idt_gates(struct kt *t)
{
	struct desc_ptr idtr = read_idtr();
	const u64 *gate = (const u64 *)idtr.base;
	unsigned int bad = 0;

	KT_EXPECT_EQ(t, idtr.limit, IDT_VECTORS * 16 - 1);
	for (unsigned int v = 0; v < IDT_VECTORS; v++) {
		u64 lo = gate[2 * v];
		unsigned int ist = lo >> 32 & 7, want_ist = 0;

		if (v == EXC_DF)
			want_ist = IST_DF;
		else if (v == EXC_NMI)
			want_ist = IST_NMI;
		else if (v == EXC_MC)
			want_ist = IST_MC;
		/* Present 64-bit interrupt gate into our code segment. */
		bad += !KT_EXPECT_EQ(t, lo >> 40 & 0xff, 0x8e) ||
		       !KT_EXPECT_EQ(t, lo >> 16 & 0xffff, GDT_KERNEL_CS) ||
		       !KT_EXPECT_EQ(t, ist, want_ist);
		if (bad)
			break;
	}
}

static void cpu_ist_stacks_set(struct kt *t)
{
	const struct tss64 *tss = current_tss();

	for (int i = 0; i < IST_COUNT; i++) {
		u64 top = tss->ist[i];
		struct npt_xlate x;

		KT_EXPECT_NE(t, top, 0);
		KT_EXPECT(t, IS_ALIGNED(top, 16));
		KT_EXPECT_OK(t, npt_lookup(paging_tables(), top - 8, &x));
		KT_EXPECT_EQ(t, x.prot, NPT_PROT_R | NPT_PROT_W);
	}
}

static void raise_nmi_vector(void *arg)
{
	asm volatile("int $2");
}

static void raise_ud(void *arg)
{
	asm volatile("ud2");
}

static const char *nmi_watchdog_takes_int2(struct kt *t)
{
	return nmi_watchdog_running() ?
		       "the deadline= NMI watchdog claims vector 2" :
		       NULL;
}

static void cpu_nmi_runs_on_its_ist_stack(struct kt *t)
{
	u64 top = current_tss()->ist[IST_NMI - 1];
	struct exc_info info;
	u64 here = (u64)&info;

	if (!KT_EXPECT_ERRNO(t, exc_catch(raise_nmi_vector, NULL, &info),
			     EFAULT))
		return;
	KT_EXPECT_EQ(t, info.vector, EXC_NMI);
	KT_EXPECT(t, info.frame < top && info.frame >= top - IST_STACK_SIZE);
	/* A plain exception stays on the running stack. */
	if (KT_EXPECT_ERRNO(t, exc_catch(raise_ud, NULL, &info), EFAULT))
		KT_EXPECT(t, here - info.frame < PAGE_SIZE);
}

static void cpu_tsc_frequency_plausible(struct kt *t)
{
	u64 a = rdtsc(), b = rdtsc();

	kt_diag(t, "TSC %llu kHz", (unsigned long long)tsc_khz);
	/* 100 MHz to 10 GHz covers every x86 CPU with a TSC worth using. */
	KT_EXPECT_GE(t, tsc_khz, 100000);
	KT_EXPECT_LE(t, tsc_khz, 10000000);
	KT_EXPECT_LT(t, a, b);
}

static const struct kt_case cpu_cases[] = {
	KT_CASE(cpu_paging_controls),
	KT_CASE(cpu_interrupts_off),
	KT_CASE(cpu_segments_are_ours),
	KT_CASE(cpu_idt_gates),
	KT_CASE(cpu_ist_stacks_set),
	KT_CASE_IF(cpu_nmi_runs_on_its_ist_stack, nmi_watchdog_takes_int2),
	KT_CASE(cpu_tsc_frequency_plausible),
};

const struct kt_suite cpu_suite = KT_SUITE("cpu", cpu_cases);
