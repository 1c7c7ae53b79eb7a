// SPDX-License-Identifier: MIT
/*
 * bench/linux/main.c - bench-linux: the harness of the side-by-side gmem
 * benchmark (bench.h). Runs each row for --rounds rounds (a row that has
 * used less than a second runs more, up to 11), the two sides taking
 * turns, and prints one tab-separated line per row:
 *
 *   row GROUP NAME UNIT UNIT_BYTES UNITS NATIVE_RANGE LINUX_RANGE
 *       NATIVE_MEDIAN NATIVE_MIN NATIVE_MAX NATIVE_MAD LINUX_MEDIAN
 *       LINUX_MIN LINUX_MAX LINUX_MAD FLOOR NOTE
 *
 * nanoseconds per unit over the rounds (MAD: the median absolute
 * deviation from the median, the spread one slow round does not move;
 * these machines are shared and the booted kernel runs under TCG); a side that could not run gives its reason in
 * place of its three figures ("no /dev/kvm: ..."), and FLOOR is the
 * memset of UNIT_BYTES measured in the same run over a buffer of the
 * row's range (empty for units with no bytes). Then "meta" lines (growth.c) and "info" lines (clock, kernel).
 *
 * Usage: bench-linux [--rounds N] [--side both|native|linux]
 *        [--group ops|growth|curve|all] [--filter TEXT] [--max-range BYTES]
 *        [--linux-absent REASON] [--no-meta] [--count] [--list]
 *        or bench-linux --guest (the guest paths on Linux, KTAP with
 *        "# bench-guest" lines: guest-tests/cases/bench.c)
 * --filter keeps the rows whose name holds TEXT, --max-range those whose
 * range is at most BYTES; --linux-absent gives the reason the Linux side
 * is not run (the caller knows why: no /dev/kvm and no booted kernel).
 * --count is for valgrind --tool=callgrind --collect-atstart=no: the
 * native side once, no floor and no metadata; only the timed sections
 * count, and each row's count is dumped named after the row.
 * Exit status 0, 1 when a side failed a row (the line says which), 2 for
 * bad options or no memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include "bench/linux/bench.h"
#include "guest-tests/cases/cases.h"
#include "host-kernel/vmm_linux.h"
#include "hv/alloc.h"
#include "hv/vmm_native.h"
#include "lib/errno.h"
#include "plat/test_mem.h"

#define POOL_SIZE (2ULL << 30)
#define MAX_ROUNDS 50
#define EXTRA_ROUNDS 11 /* rounds a cheap row may take */
#define ROW_BUDGET_NS 1e9
#define FLOOR_BYTES (256 * MIB)

u8 bench_buf[4096] __attribute__((aligned(64)));

static struct page_pool pool;
static struct vmm_native native_state;
static struct vmm native_vmm = VMM_NATIVE_INIT(native_state);
static struct vmm linux_vmm;
static double clock_ns, row_total, section_t;
static unsigned int reps_max = ~0u;

unsigned int bench_reps(unsigned int n)
{
	return n < reps_max ? n : reps_max;
}
static bool section_counted;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

void t_start(bool counted)
{
	section_counted = counted;
	if (counted)
		CALLGRIND_TOGGLE_COLLECT;
	section_t = now_ns();
}

void t_stop(bool single)
{
	double d = now_ns() - section_t;

	if (!section_counted)
		return;
	CALLGRIND_TOGGLE_COLLECT;
	row_total += d - (single ? clock_ns : 0);
}

u64 row_range(const struct side *s, const struct row *r)
{
	bool allocates = r->fn != attr_row && r->fn != convert_row;

	return s->is_linux && allocates && r->range > LINUX_ALLOC_MAX ?
		       LINUX_ALLOC_MAX :
		       r->range;
}

int bench_gmem(struct side *s, u64 size, bool prot)
{
	return s->v->ops->create_gmem(s->v, prot ? s->vm_prot : s->vm, size,
				      prot ? 0 :
					     GMV_GMEM_FLAG_MMAP |
						     GMV_GMEM_FLAG_INIT_SHARED);
}

int bench_bind(struct side *s, int vm, u32 slot, u64 gpa, u64 size, int gmem,
	       u64 offset)
{
	struct vmm_region r = { .slot = slot,
				.flags = GMV_MEM_GUEST_MEMFD,
				.guest_phys_addr = gpa,
				.memory_size = size,
				.guest_memfd_offset = offset,
				.guest_memfd = gmem };

	return s->v->ops->set_region(s->v, vm, &r);
}

/* Our own mapping of the fd, so host accesses are plain loads and stores;
 * the backend never sees it, so it lives until the process ends (the
 * file's pages go with the fd's last reference). */
void *bench_linux_map(int gmem, u64 size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, gmem, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* The side's VMs, made again before each row (a row may reset). */
static int side_fresh(struct side *s)
{
	s->v->ops->reset(s->v);
	s->vm = s->v->ops->create_vm(s->v, GMV_VM_DEFAULT);
	s->vm_prot = s->v->ops->create_vm(s->v, GMV_VM_SW_PROTECTED);
	return s->vm < 0 ? s->vm : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct figures {
	double v[MAX_ROUNDS];
	int n;
	int err;
	const char *why;
	double units;
};

static void put_figures(struct figures *f)
{
	if (f->why) {
		printf("\t%s\t\t\t", f->why);
		return;
	}
	if (f->err) {
		printf("\tfailed: %s\t\t\t", errno_name(f->err));
		return;
	}
	double med, dev[MAX_ROUNDS];

	qsort(f->v, f->n, sizeof(f->v[0]), cmp_double);
	med = f->v[f->n / 2];
	for (int i = 0; i < f->n; i++)
		dev[i] = f->v[i] > med ? f->v[i] - med : med - f->v[i];
	qsort(dev, f->n, sizeof(dev[0]), cmp_double);
	printf("\t%.3f\t%.3f\t%.3f\t%.3f", med, f->v[0], f->v[f->n - 1],
	       dev[f->n / 2]);
}

/*
 * The zeroing floor: ns per byte of memset over a buffer the size of the
 * row's range (at most FLOOR_BYTES), so that a range that fits a cache is
 * held to the cache's speed and a large one to memory's; the median of 5,
 * each over at least 64 MiB of stores. Kept per size.
 */
static double floor_ns_per_byte(u64 range)
{
	static struct { u64 size; double ns; } seen[16];
	static unsigned int nr_seen;
	u64 size = range < FLOOR_BYTES ? range : FLOOR_BYTES;
	u64 times = (64 * MIB + size - 1) / size;
	double v[5];
	u8 *p;

	for (unsigned int i = 0; i < nr_seen; i++)
		if (seen[i].size == size)
			return seen[i].ns;
	p = malloc(size);
	if (!p)
		return 0;
	memset(p, 1, size);
	for (int i = 0; i < 5; i++) {
		double t = now_ns();

		for (u64 n = 0; n < times; n++) {
			memset(p, (int)n, size);
			__asm__ volatile("" : : "r"(p) : "memory");
		}
		v[i] = (now_ns() - t) / ((double)size * times);
	}
	free(p);
	qsort(v, 5, sizeof(v[0]), cmp_double);
	if (nr_seen < ARRAY_SIZE(seen))
		seen[nr_seen++] = (typeof(seen[0])){ size, v[2] };
	return v[2];
}

/* The cost of a now_ns() pair: the least of 20 batches, so that a
 * preempted batch does not count. */
static void calibrate_clock(void)
{
	clock_ns = 1e9;
	for (int b = 0; b < 20; b++) {
		double t = now_ns(), d;

		for (int i = 0; i < 1000; i++)
			now_ns();
		d = (now_ns() - t) / 1000;
		if (d < clock_ns)
			clock_ns = d;
	}
}

static int run_row(struct side *s, const struct row *r, struct figures *f)
{
	double units = 0;
	const char *why = NULL;
	int ret;

	if (f->why || f->err)
		return 0;
	if (s->absent) {
		f->why = s->absent;
		return 0;
	}
	ret = side_fresh(s);
	row_total = 0;
	if (!s->is_linux)
		CALLGRIND_ZERO_STATS;
	ret = ret ? ret : r->fn(s, r, &units, &why);
	if (!s->is_linux)
		CALLGRIND_DUMP_STATS_AT(r->name);
	if (ret > 0) {
		f->why = why;
	} else if (ret < 0) {
		f->err = ret == -VMM_OVER_BOUND ? -E2BIG : ret;
		fprintf(stderr, "bench-linux: %s on %s: %s\n", r->name, s->name,
			errno_name(ret));
		return 1;
	} else {
		f->units = units;
		f->v[f->n++] = units > 0 ? row_total / units : 0;
	}
	return 0;
}

static const char *linux_absent(struct vmm *v)
{
	static char why[160];
	const char *lack;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, sizeof(why), "no /dev/kvm: %s", strerror(errno));
		return why;
	}
	close(fd);
	if ((lack = v->ops->lacks(v, VMM_FEAT_GUEST_MEMFD)) ||
	    (lack = v->ops->lacks(v, VMM_FEAT_GMEM_MMAP)) ||
	    (lack = v->ops->lacks(v, VMM_FEAT_GMEM_INIT_SHARED)))
		return lack;
	return NULL;
}

/* --guest: the guest paths (guest-tests/cases/bench.c) on the linux
 * backend, as KTAP; 0 when they passed or skipped. */
static int guest_paths(void)
{
	static const struct kt_suite suite = GUEST_BENCH_SUITE(&linux_vmm);
	static const struct kt_suite *const suites[] = { &suite };
	struct kt_options opt = { 0 };
	struct kt_totals tot;

	if (vmm_linux_open(&linux_vmm)) {
		fprintf(stderr, "bench-linux: no memory for the linux side\n");
		return 2;
	}
	tot = kt_run(suites, ARRAY_SIZE(suites), &opt);
	vmm_linux_close(&linux_vmm);
	return tot.failed ? 1 : 0;
}

static void usage(const char *msg)
{
	fprintf(stderr,
		"bench-linux: %s\nusage: bench-linux [--rounds N] [--side "
		"both|native|linux] [--group ops|growth|curve|all] [--filter "
		"TEXT] [--max-range BYTES] [--linux-absent REASON] [--no-meta] "
		"[--count] [--list] | --guest\n",
		msg);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *side_opt = "both", *group = "all", *filter = "";
	const char *linux_why = NULL;
	u64 max_range = ~0ULL;
	bool count = false, guest = false;
	int rounds = 5, failed = 0;
	bool meta = true, list = false;
	struct side sides[2] = {
		{ .name = "native", .v = &native_vmm },
		{ .name = "linux", .v = &linux_vmm, .is_linux = true },
	};
	const struct { const struct row *rows; unsigned int n; } sets[] = {
		{ ops_rows, nr_ops_rows }, { growth_rows, nr_growth_rows } };
	struct utsname u;
	void *mem;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (!strcmp(a, "--no-meta")) {
			meta = false;
			continue;
		} else if (!strcmp(a, "--guest")) {
			guest = true;
			continue;
		} else if (!strcmp(a, "--count")) {
			count = true;
			meta = false;
			side_opt = "native";
			continue;
		} else if (!strcmp(a, "--list")) {
			list = true;
			continue;
		}
		if (strcmp(a, "--rounds") && strcmp(a, "--side") &&
		    strcmp(a, "--group") && strcmp(a, "--filter") &&
		    strcmp(a, "--max-range") && strcmp(a, "--linux-absent")) {
			fprintf(stderr, "bench-linux: unknown option '%s'\n", a);
			usage("see below");
		}
		if (!val)
			usage("an option is missing its value");
		i++;
		if (!strcmp(a, "--rounds")) {
			rounds = strtol(val, &end, 10);
			if (*end || rounds < 1 || rounds > MAX_ROUNDS)
				usage("--rounds takes 1 to 50");
		} else if (!strcmp(a, "--side")) {
			side_opt = val;
			if (strcmp(val, "both") && strcmp(val, "native") &&
			    strcmp(val, "linux"))
				usage("--side takes both, native or linux");
		} else if (!strcmp(a, "--group")) {
			group = val;
			if (strcmp(val, "ops") && strcmp(val, "growth") &&
			    strcmp(val, "curve") && strcmp(val, "all"))
				usage("--group takes ops, growth, curve or all");
		} else if (!strcmp(a, "--filter")) {
			filter = val;
		} else if (!strcmp(a, "--max-range")) {
			max_range = strtoull(val, &end, 0);
			if (*end || !max_range)
				usage("--max-range takes a number of bytes");
		} else {
			linux_why = val; /* --linux-absent */
		}
	}
	if (list) {
		for (unsigned int k = 0; k < ARRAY_SIZE(sets); k++)
			for (unsigned int i = 0; i < sets[k].n; i++)
				printf("%s\t%s\n", sets[k].rows[i].group,
				       sets[k].rows[i].name);
		return 0;
	}

	if (guest)
		return guest_paths();
	mem = test_mem_alloc(POOL_SIZE);
	alloc_pool_init(&pool);
	if (!mem || alloc_add_region(&pool, (phys_addr_t)mem, POOL_SIZE)) {
		fprintf(stderr, "bench-linux: no memory for the native pool\n");
		return 2;
	}
	hv_pool = &pool;
	if (vmm_linux_open(&linux_vmm)) {
		fprintf(stderr, "bench-linux: no memory for the linux side\n");
		return 2;
	}
	sides[1].absent = linux_absent(&linux_vmm);
	if (!strcmp(side_opt, "native"))
		sides[1].absent = "not run (--side native)";
	if (linux_why)
		sides[1].absent = linux_why;
	if (!strcmp(side_opt, "linux"))
		sides[0].absent = "not run (--side linux)";
	if (count) {
		rounds = 1;
		reps_max = 4;
	}
	calibrate_clock();
	uname(&u);
	printf("info\tkernel\t%s %s\n", u.sysname, u.release);
	printf("info\trounds\t%d\n", rounds);
	printf("info\tclock_ns\t%.1f\n", clock_ns);
	if (!count)
		printf("info\tmemset_ns_per_4KiB_in_256MiB\t%.1f\n",
		       floor_ns_per_byte(FLOOR_BYTES) * 4096);
	printf("info\tlinux_alloc_max\t%llu\n",
	       (unsigned long long)LINUX_ALLOC_MAX);
	fflush(stdout);

	for (unsigned int k = 0; k < ARRAY_SIZE(sets); k++) {
		for (unsigned int i = 0; i < sets[k].n; i++) {
			const struct row *r = &sets[k].rows[i];
			struct figures f[2] = { { 0 } };

			if ((strcmp(group, "all") && strcmp(group, r->group)) ||
			    !strstr(r->name, filter) || r->range > max_range)
				continue;
			double t0 = now_ns();

			/* At least 'rounds' rounds; more, up to EXTRA_ROUNDS,
			 * while the row has used less than ROW_BUDGET_NS. */
			for (int n = 0;
			     n < rounds || (n < EXTRA_ROUNDS && !count &&
					    now_ns() - t0 < ROW_BUDGET_NS);
			     n++)
				for (int j = 0; j < 2; j++) {
					int sd = (n + j) % 2;

					failed |= run_row(&sides[sd], r, &f[sd]);
				}
			printf("row\t%s\t%s\t%s\t%llu\t%.0f\t%llu\t%llu", r->group,
			       r->name, r->unit,
			       (unsigned long long)r->unit_bytes,
			       f[0].units ? f[0].units : f[1].units,
			       (unsigned long long)row_range(&sides[0], r),
			       (unsigned long long)row_range(&sides[1], r));
			put_figures(&f[0]);
			put_figures(&f[1]);
			if (r->unit_bytes && !count)
				printf("\t%.3f", floor_ns_per_byte(r->range) *
							r->unit_bytes);
			else
				printf("\t");
			printf("\t%s\n", r->note ? r->note : "");
			fflush(stdout);
			fprintf(stderr, "# %s: %.1f s\n", r->name,
				(now_ns() - t0) / 1e9);
		}
	}
	if (meta && !sides[0].absent) {
		side_fresh(&sides[0]);
		if (growth_meta(&sides[0])) {
			fprintf(stderr, "bench-linux: metadata layouts failed\n");
			failed = 1;
		}
	}
	native_vmm.ops->reset(&native_vmm);
	if (native_vmm.ops->check(&native_vmm))
		failed = 1;
	vmm_linux_close(&linux_vmm);
	test_mem_free(mem, POOL_SIZE);
	return failed;
}
