/* SPDX-License-Identifier: MIT */
/*
 * bench/linux/bench.h - the side-by-side benchmark of gmem operations,
 * native (hv/, over its own page pool) against Linux's guest_memfd (the
 * linux backend, host-kernel/, on /dev/kvm), in one process so that both
 * figures of a row come from the same machine and the same run.
 *
 * A row is one measured operation: its body runs on a side, timing its
 * operation with t_start()/t_stop() (setup and teardown outside the
 * clock), and says how many units it timed. The harness (main.c) runs every row for several
 * rounds, alternating the sides, and prints the median and the spread of
 * each side and the zeroing floor (memset of the unit's bytes) as
 * tab-separated lines that scripts/bench-report.py turns into the table
 * (with the ratios), the curves and the plots.
 */
#ifndef GMV_BENCH_LINUX_BENCH_H
#define GMV_BENCH_LINUX_BENCH_H

#include "hv/vmm.h"

#define KIB (1ULL << 10)
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define TIB (1ULL << 40)
#define GMEM_GPA (4 * GIB) /* where rows bind their memslots */

/*
 * The most Linux's side of a row may allocate: a real kernel must never be
 * run out of memory (the oracle VM has a few GiB). The linux backend
 * refuses a single fallocate above 256 MiB itself (host-kernel/
 * vmm_linux.c); rows over "1 GiB" use this range on Linux, and say so.
 */
#define LINUX_ALLOC_MAX (256 * MIB)

/* One side of the comparison. */
struct side {
	const char *name; /* "native" or "linux" */
	struct vmm *v;
	bool is_linux;
	const char *absent; /* why this side cannot run, or NULL */
	int vm; /* a default VM (gmem with MMAP | INIT_SHARED) */
	int vm_prot; /* a SW_PROTECTED VM (attributes), or -errno */
};

struct row;
/* The body of a row on one side: it times its operation between
 * t_start() and t_stop() and sets *units to the units timed; returns 0,
 * -errno, or a positive "cannot" with *why set (the side lacks the
 * operation). */
typedef int (*row_fn)(struct side *s, const struct row *r, double *units,
		      const char **why);

struct row {
	const char *group; /* "ops", "growth", ... (one CSV and table each) */
	const char *name;  /* unique within the run */
	const char *unit;  /* "4KiB", "2MiB", "op", ... */
	u64 unit_bytes;	   /* bytes a unit covers, 0 for no floor */
	u64 range;	   /* bytes the row covers (native) */
	u64 arg;	   /* row-specific: call size, slots, views ... */
	u64 arg2;
	row_fn fn;
	const char *note; /* what it measures, where each side zeroes */
};

extern const struct row ops_rows[];
extern const unsigned int nr_ops_rows;
extern const struct row growth_rows[];
extern const unsigned int nr_growth_rows;

/* Bodies shared by the ops and growth rows (ops.c): attributes over the
 * row's range to private (arg2 1) or shared, on a bound gmem of a
 * SW_PROTECTED VM; in-place conversion of a backed, bound gmem. */
int attr_row(struct side *s, const struct row *r, double *units,
	     const char **why);
int convert_row(struct side *s, const struct row *r, double *units,
		const char **why);

/* Native gmem metadata of the growth layouts, as "meta" CSV lines. */
int growth_meta(struct side *native);

/* n repetitions, or fewer under --count (instruction counts do not need
 * many). */
unsigned int bench_reps(unsigned int n);

/* The range a row uses on a side (Linux's allocation bound applied). */
u64 row_range(const struct side *s, const struct row *r);

/* The row's clock: t_start(counted) starts a timed section, which adds
 * to the row's total only when counted (a row's first pass warms up);
 * t_stop(single) ends it, taking off the clock's own cost when the
 * section is a single call. Under callgrind only counted sections count
 * instructions. */
void t_start(bool counted);
void t_stop(bool single);

/* Scratch buffer of at least 4 KiB for host reads and writes. */
extern u8 bench_buf[];

/* Create a gmem of size on the side's VM (prot: the SW_PROTECTED one,
 * no flags; else MMAP | INIT_SHARED): a handle or -errno. */
int bench_gmem(struct side *s, u64 size, bool prot);
/* Bind gmem's [0, size) at gpa as memslot slot of vm (size 0 deletes). */
int bench_bind(struct side *s, int vm, u32 slot, u64 gpa, u64 size, int gmem,
	       u64 offset);
/* The host address of a Linux gmem's shared mapping (mmap of the fd). */
void *bench_linux_map(int gmem, u64 size);


#endif
