// SPDX-License-Identifier: MIT
/*
 * boot/lapic.c - the local APIC (see boot/lapic.h). Register offsets and
 * bits from the Intel SDM vol. 3A 11.4-11.5 and 11.12 (x2APIC MSRs at
 * 0x800 + offset / 16); the 8259 mask from the 8259A data sheet (OCW1).
 */
#include "boot/lapic.h"
#include "boot/cpu.h"
#include "boot/idt.h"
#include "boot/paging.h"
#include "lib/errno.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_EXTD BIT(10) /* x2APIC mode */
#define APIC_BASE_EN BIT(11)
#define APIC_BASE_ADDR 0x000ffffffffff000ULL
#define MSR_X2APIC_BASE 0x800
#define MSR_TSC_DEADLINE 0x6e0

#define CPUID1_EDX_APIC BIT(9)
#define CPUID1_ECX_TSC_DEADLINE BIT(24)

/* Register offsets in the xAPIC page. */
#define REG_ID 0x020
#define REG_EOI 0x0b0
#define REG_SVR 0x0f0
#define REG_LVT_TIMER 0x320
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DIV 0x3e0

#define SVR_ENABLE BIT(8)
#define LVT_MASKED BIT(16)
#define LVT_TIMER_TSC_DEADLINE (2u << 17)
#define TIMER_DIV_16 0x3

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

static struct {
	u64 base; /* the xAPIC page, identity-mapped */
	bool x2apic;
	bool enabled; /* lapic_init() succeeded */
	enum lapic_timer_mode mode;
} lapic;

static u32 lapic_read(u32 reg)
{
	if (lapic.x2apic)
		return (u32)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return *(volatile u32 *)(lapic.base + reg);
}

static void lapic_write(u32 reg, u32 v)
{
	if (lapic.x2apic)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		*(volatile u32 *)(lapic.base + reg) = v;
}

/* A spurious interrupt is not in service: nothing to acknowledge. */
static void spurious(unsigned int vector)
{
}

int lapic_init(void)
{
	u32 a, b, c, d;
	u64 base;
	int ret;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & CPUID1_EDX_APIC))
		return -ENODEV;
	base = rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_EN))
		return -ENODEV;
	lapic.x2apic = base & APIC_BASE_EXTD;
	lapic.base = base & APIC_BASE_ADDR;
	if (!lapic.x2apic) {
		ret = paging_map(lapic.base, lapic.base, PAGE_SIZE,
				 NPT_PROT_R | NPT_PROT_W | NPT_PROT_UC);
		if (ret)
			return ret;
	}
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	ret = idt_set_irq_handler(LAPIC_SPURIOUS_VECTOR, spurious);
	if (ret)
		return ret;
	lapic_write(REG_SVR, (lapic_read(REG_SVR) & ~0xffu) | SVR_ENABLE |
				     LAPIC_SPURIOUS_VECTOR);
	lapic_timer_setup(LAPIC_TIMER_ONESHOT, LAPIC_SPURIOUS_VECTOR, true);
	lapic.enabled = true;
	return 0;
}

bool lapic_is_x2apic(void)
{
	return lapic.x2apic;
}

/* SDM 11.4.6: the xAPIC ID is bits 31:24 of its register; the x2APIC ID
 * is the whole register (11.12.5.1). */
int lapic_id(u32 *id)
{
	if (!lapic.enabled)
		return -ENODEV;
	*id = lapic_read(REG_ID);
	if (!lapic.x2apic)
		*id >>= 24;
	return 0;
}

bool lapic_has_tsc_deadline(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return c & CPUID1_ECX_TSC_DEADLINE;
}

void lapic_eoi(void)
{
	lapic_write(REG_EOI, 0);
}

void lapic_timer_setup(enum lapic_timer_mode mode, u8 vector, bool masked)
{
	u32 lvt = vector | (masked ? LVT_MASKED : 0);

	lapic_timer_start(0);
	lapic.mode = mode;
	if (mode == LAPIC_TIMER_TSC_DEADLINE)
		lvt |= LVT_TIMER_TSC_DEADLINE;
	else
		lapic_write(REG_TIMER_DIV, TIMER_DIV_16);
	lapic_write(REG_LVT_TIMER, lvt);
	/* The mode must be set before the deadline MSR is written; an
	 * MMIO store and WRMSR are not ordered otherwise (SDM 11.5.4.1). */
	asm volatile("mfence" : : : "memory");
}

void lapic_timer_start(u64 value)
{
	if (lapic.mode == LAPIC_TIMER_TSC_DEADLINE)
		wrmsr(MSR_TSC_DEADLINE, value);
	else
		lapic_write(REG_TIMER_INIT, (u32)MIN(value, 0xffffffffULL));
}

u32 lapic_timer_current(void)
{
	return lapic_read(REG_TIMER_CUR);
}
