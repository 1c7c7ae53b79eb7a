// SPDX-License-Identifier: MIT
/*
 * tests/payload/interrupt_test.c - boot.interrupt: interrupt handlers
 * installed in the IDT (boot/idt.h) run for their vector, and the APIC
 * deadline timer (boot/apic_deadline.h) is registered with hv/, fires,
 * is acknowledged (it fires again), keeps an earlier deadline and can be
 * cancelled.
 */
#include "boot/apic_deadline.h"
#include "boot/cpu.h"
#include "boot/idt.h"
#include "boot/tsc.h"
#include "hv/deadline.h"
#include "lib/errno.h"
#include "lib/ktap.h"
#include "tests/payload/boot_tests.h"

#define SOFT_VECTOR 0x80
#define FAR_MS 10000 /* a deadline far beyond every wait here */

static unsigned int seen_vector, seen_count;

static void soft_handler(unsigned int vector)
{
	seen_vector = vector;
	seen_count++;
}

static void interrupt_handler_runs_for_its_vector(struct kt *t)
{
	KT_EXPECT_ERRNO(t, idt_set_irq_handler(EXC_GP, soft_handler), EINVAL);
	KT_EXPECT_ERRNO(t, idt_set_irq_handler(IDT_VECTORS, soft_handler),
			EINVAL);
	KT_ASSERT_OK(t, idt_set_irq_handler(SOFT_VECTOR, soft_handler));
	seen_count = 0;
	asm volatile("int %0" : : "i"(SOFT_VECTOR) : "memory");
	KT_EXPECT_EQ(t, seen_count, 1);
	KT_EXPECT_EQ(t, seen_vector, SOFT_VECTOR);
	KT_EXPECT_OK(t, idt_set_irq_handler(SOFT_VECTOR, NULL));
}

static const char *no_deadline_timer(struct kt *t)
{
	return deadline_timer() ? NULL : "no APIC deadline timer";
}

/*
 * Wait with interrupts on, up to ms, for the timer's next interrupt; the
 * TSC when it was seen, or 0 if it did not come. The TSC is read after the
 * interrupt, so a delay of this vCPU can only make it later: a value before
 * the deadline is proof of an early interrupt, whatever the load.
 */
static u64 timer_seen_within(u64 ms)
{
	u64 before = apic_deadline_irqs(), start = rdtsc(), now;

	sti();
	do {
		cpu_relax();
		now = rdtsc();
	} while (apic_deadline_irqs() == before && now - start < ms * tsc_khz);
	cli();
	return apic_deadline_irqs() != before ? now : 0;
}

static void interrupt_deadline_timer_fires_and_rearms(struct kt *t)
{
	const struct deadline_timer *tm = deadline_timer();
	u64 due, seen;

	kt_diag(t, "%s", tm->name);
	KT_EXPECT_EQ(t, tm->tsc_per_ms, tsc_khz);
	deadline_disarm();
	/* Not before its deadline, then soon; twice, as without the EOI
	 * the second interrupt would stay pending. One-shot mode counts
	 * APIC ticks calibrated against the TSC, so allow it 1 ms early (a
	 * quarter of the wait). */
	for (int i = 0; i < 2; i++) {
		due = deadline_after_ms(4);
		deadline_arm(due);
		seen = timer_seen_within(1000);
		KT_EXPECT_NE(t, seen, 0ULL);
		KT_EXPECT_GE(t, seen + tsc_khz, due);
	}
	/* A timer that fires sooner is kept; a sooner deadline replaces a
	 * later one. */
	deadline_arm(deadline_after_ms(4));
	deadline_arm(deadline_after_ms(FAR_MS));
	KT_EXPECT_NE(t, timer_seen_within(1000), 0ULL);
	deadline_arm(deadline_after_ms(FAR_MS));
	deadline_arm(deadline_after_ms(4));
	KT_EXPECT_NE(t, timer_seen_within(1000), 0ULL);
	/* Cancelled. */
	deadline_arm(deadline_after_ms(2));
	deadline_disarm();
	KT_EXPECT_EQ(t, timer_seen_within(20), 0ULL);
}

static const struct kt_case interrupt_cases[] = {
	KT_CASE(interrupt_handler_runs_for_its_vector),
	KT_CASE_IF(interrupt_deadline_timer_fires_and_rearms,
		   no_deadline_timer),
};

const struct kt_suite interrupt_suite = KT_SUITE("interrupt", interrupt_cases);
