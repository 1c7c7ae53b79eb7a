// SPDX-License-Identifier: MIT
/*
 * guest-tests/guests/bench.c - the guest paths of `make bench`, each step
 * timed with the guest's own TSC (programs.h).
 */
#include "guest-tests/guests/programs.h"
#include "guest-tests/lib/guest.h"

/* MAP_GPA_RANGE needs CPL0 (KVM answers -KVM_EPERM from CPL3). */
GUEST_PROGRAM_AT_CPL0();

static inline u64 tsc(void)
{
	u32 lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (u64)hi << 32 | lo;
}

static inline void out32(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

/* First stores at base + first*step, ... (count of them): cycles. */
static u64 touch(u64 base, u64 first, u64 count, u64 step)
{
	u64 sum = 0;

	for (u64 i = first; i < first + count; i++) {
		u64 t = tsc();

		guest_write_n(base + i * step, 8, i);
		sum += tsc() - t;
	}
	return sum;
}

void guest_main(u64 gpa, u64 unused)
{
	u64 t, sum = 0;

	t = tsc();
	for (int i = 0; i < BENCH_N_RT; i++)
		guest_hypercall(BENCH_HC_NOP, 0, 0, 0);
	GUEST_SYNC(1, tsc() - t);
	t = tsc();
	for (int i = 0; i < BENCH_N_RT; i++)
		out32(GUEST_TEST_PORT, i);
	GUEST_SYNC(2, tsc() - t);
	GUEST_SYNC(3, touch(gpa + BENCH_P4, 1, 511, PAGE_SIZE));
	GUEST_SYNC(4, touch(gpa + BENCH_P2, 0, BENCH_N_2M, 2ULL << 20));
	GUEST_SYNC(5, touch(gpa + BENCH_S4, 1, 511, PAGE_SIZE));
	GUEST_SYNC(6, touch(gpa + BENCH_S2, 0, BENCH_N_2M, 2ULL << 20));

	touch(gpa + BENCH_C, 0, BENCH_N_CONV, PAGE_SIZE);
	for (u64 i = 0; i < BENCH_N_CONV; i++) {
		u64 page = gpa + BENCH_C + i * PAGE_SIZE;

		t = tsc();
		GUEST_ASSERT_EQ(guest_map_gpa_range(page, 1,
						    GMV_MAP_GPA_RANGE_DECRYPTED),
				0);
		guest_write_n(page, 8, i);
		sum += tsc() - t;
	}
	GUEST_SYNC(7, sum);
}
