// SPDX-License-Identifier: MIT
/* boot/apic_deadline.c - the APIC deadline timer (boot/apic_deadline.h). */
#include "boot/apic_deadline.h"
#include "boot/cpu.h"
#include "boot/idt.h"
#include "boot/lapic.h"
#include "boot/tsc.h"
#include "boot/watchdog.h"
#include "hv/deadline.h"
#include "lib/errno.h"
#include "lib/fmt.h"

/* The one-shot count is measured over this many milliseconds of TSC. */
#define CAL_MS 10
/* Rounds of it; the least disturbed one counts (calibrate()). */
#define CAL_ROUNDS 5

static bool tsc_deadline; /* the mode in use, else one-shot */
static u64 counts_per_ms; /* one-shot mode only */
static volatile u64 irqs;
static char name[64];

static void on_timer(unsigned int vector)
{
	irqs++;
	deadline_timer_fired();
	lapic_eoi();
	watchdog_check("timer interrupt");
}

u64 apic_deadline_irqs(void)
{
	return irqs;
}

/* One-shot: the count for the TSC ticks left, rounded up and capped at
 * the counter's width (a deadline too far away fires early, and the run
 * loop arms again). */
static void arm(u64 deadline)
{
	u64 t, left, max_left;

	if (tsc_deadline) {
		lapic_timer_start(deadline);
		return;
	}
	t = rdtsc();
	left = deadline > t ? deadline - t : 0;
	max_left = 0xffffffffULL * tsc_khz / counts_per_ms;
	if (left >= max_left)
		lapic_timer_start(0xffffffffULL);
	else
		lapic_timer_start(left * counts_per_ms / tsc_khz + 1);
}

static void disarm(void)
{
	lapic_timer_start(0);
}

/*
 * One-shot counts per millisecond, from a masked countdown timed with the
 * TSC; 0 if the counter did not move. Each register access is bracketed by
 * TSC reads, as it may be slow under an emulator, and the start and the
 * read are taken as the middles of their brackets. A vCPU held up inside a
 * bracket (a loaded host) makes that guess wrong by up to the bracket's
 * length, so of CAL_ROUNDS rounds the one with the shortest brackets wins.
 */
static u64 calibrate(void)
{
	u64 t0, t1, t2, t3, counts, slack, best_slack = ~0ULL, best = 0;

	lapic_timer_setup(LAPIC_TIMER_ONESHOT, APIC_DEADLINE_VECTOR, true);
	for (int i = 0; i < CAL_ROUNDS; i++) {
		t0 = rdtsc();
		lapic_timer_start(0xffffffffULL);
		t1 = rdtsc();
		while (rdtsc() - t1 < CAL_MS * tsc_khz)
			cpu_relax();
		t2 = rdtsc();
		counts = 0xffffffffULL - lapic_timer_current();
		t3 = rdtsc();
		lapic_timer_start(0);
		slack = (t1 - t0) + (t3 - t2);
		if (slack < best_slack) {
			best_slack = slack;
			best = counts * tsc_khz * 2 / ((t2 + t3) - (t0 + t1));
		}
	}
	return best;
}

int apic_deadline_init(void)
{
	int ret;

	if (!tsc_khz)
		return -ENODEV;
	ret = lapic_init();
	if (ret)
		return ret;
	tsc_deadline = lapic_has_tsc_deadline();
	if (!tsc_deadline) {
		counts_per_ms = calibrate();
		if (!counts_per_ms)
			return -ENODEV;
	}
	ret = idt_set_irq_handler(APIC_DEADLINE_VECTOR, on_timer);
	if (ret)
		return ret;
	lapic_timer_setup(tsc_deadline ? LAPIC_TIMER_TSC_DEADLINE
				       : LAPIC_TIMER_ONESHOT,
			  APIC_DEADLINE_VECTOR, false);
	if (tsc_deadline)
		gmv_snprintf(name, sizeof(name), "LAPIC TSC-deadline (%s)",
			     lapic_is_x2apic() ? "x2APIC" : "xAPIC");
	else
		gmv_snprintf(name, sizeof(name),
			     "LAPIC one-shot (%s), %llu counts/ms",
			     lapic_is_x2apic() ? "x2APIC" : "xAPIC",
			     (unsigned long long)counts_per_ms);
	deadline_timer_register(&(struct deadline_timer){
		.name = name,
		.tsc_per_ms = tsc_khz,
		.arm = arm,
		.disarm = disarm,
	});
	return 0;
}
