// SPDX-License-Identifier: MIT
/*
 * tests/host/rmp_guard_test.c - rmp_guard_host: the RMP host-write guard
 * on the host build (plat/host/rmp_guard.c). Which pages the model has the
 * platform guard, and when: read back from the process's own mappings
 * (/proc/self/maps), a page is guarded when its mapping lost PROT_WRITE.
 * A write to an assigned page kills the process with the RMP report; it
 * is made in a child process whose output the case reads.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv/alloc.h"
#include "hv/snp/snp.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define PRIV VM_ACCESS_PRIVATE
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)

/* Is the page at pa writable, as the kernel maps it? */
static bool writable(phys_addr_t pa)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;
	char perms[8], line[512];
	bool w = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 &&
		    pa >= lo && pa < hi) {
			w = perms[1] == 'w';
			break;
		}
	fclose(f);
	return w;
}

/* Pages [pa, pa + n * 4 KiB) all guarded (or all writable). */
static bool all(phys_addr_t pa, unsigned int n, bool guarded)
{
	for (unsigned int k = 0; k < n; k++)
		if (writable(pa + k * PG) == guarded)
			return false;
	return true;
}

struct env {
	int vm, g;
	u32 asid;
};

static bool env_open(struct kt *t, struct vmm *v, struct env *e)
{
	e->vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SNP));
	if (e->vm < 0)
		return false;
	e->asid = snp_vm_asid(vmm_native_vm(v, e->vm));
	e->g = CASE_OPEN(
		t, v->ops->create_gmem(v, e->vm, 4 << 20, GMV_GMEM_FLAG_MMAP));
	return e->g >= 0 &&
	       KT_EXPECT_OK(t, case_bind(v, e->vm, 0, GB, 4 << 20, e->g, 0));
}

static int priv(struct vmm *v, struct env *e, u64 gpa, struct vm_fault *f)
{
	u8 b;

	return n_guest(v, e->vm, gpa, &b, 1, PRIV, f);
}

/* Prepare assigns and guards a 2 MiB block; a 4 KiB conversion PSMASHes
 * (the others stay guarded) and unguards that page; a punch unguards
 * before the scrub; a 4 KiB entry in a mixed block guards that page
 * only; closing unguards every page. */
NATIVE_CASE(rmp_guard_follows_assignment)
{
	phys_addr_t block, second;
	struct vm_fault f;
	struct env e;
	u64 err;

	if (!env_open(t, v, &e))
		return;
	KT_EXPECT_OK(t, priv(v, &e, GB + 3 * PG, &f));
	block = f.pa - 3 * PG;
	KT_EXPECT(t, all(block, 512, true));
	KT_EXPECT(t, writable(block - PG) && writable(block + SZ2M));
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 7 * PG, PG, false, &err));
	KT_EXPECT(t, writable(block + 7 * PG));
	KT_EXPECT(t, all(block, 7, true) && all(block + 8 * PG, 504, true));
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, 9 * PG, 2 * PG));
	KT_EXPECT(t, all(block + 9 * PG, 2, false));
	KT_EXPECT(t, !writable(block + 8 * PG) && !writable(block + 11 * PG));
	/* Back to private: guarded again at its first private use. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 7 * PG, PG, true, &err));
	KT_EXPECT(t, writable(block + 7 * PG));
	KT_EXPECT_OK(t, priv(v, &e, GB + 7 * PG, &f));
	KT_EXPECT(t, !writable(block + 7 * PG));
	/* A mixed block: one 4 KiB entry. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, SZ2M, 8 * PG, false, &err));
	KT_EXPECT_OK(t, priv(v, &e, GB + SZ2M + 9 * PG, &f));
	second = f.pa - 9 * PG;
	KT_EXPECT(t, !writable(second + 9 * PG));
	KT_EXPECT(t,
		  all(second, 9, false) && all(second + 10 * PG, 502, false));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, v->ops->close(v, e.g));
	KT_EXPECT_OK(t, v->ops->close(v, e.vm));
	KT_EXPECT(t, all(block, 512, false) && all(second, 512, false));
}

/* A firmware page (immutable, ASID 0), which nothing can unassign, is
 * unguarded when the model goes; a model that is not the SNP VMs' (a
 * tool's) guards nothing. */
NATIVE_CASE(rmp_guard_firmware_page_and_unguarded_model)
{
	struct rmp_state fw = {.assigned = true, .immutable = true};
	u8 *p = alloc_pages(hv_pool, 0, OWN_TEST);
	struct rmp *own;
	int vm;

	if (!KT_EXPECT(t, p != NULL))
		return;
	vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SNP));
	if (vm >= 0) {
		KT_EXPECT_EQ(t, rmpupdate(snp_rmp(), (phys_addr_t)p, &fw),
			     RMP_SUCCESS);
		KT_EXPECT(t, !writable((phys_addr_t)p));
		KT_EXPECT_OK(t, v->ops->close(v, vm));
	}
	KT_EXPECT(t, writable((phys_addr_t)p));
	own = rmp_model_create(ALIGN_DOWN((phys_addr_t)p, SZ2M), SZ2M);
	if (KT_EXPECT(t, own != NULL)) {
		KT_EXPECT_EQ(t, rmpupdate(own, (phys_addr_t)p, &fw),
			     RMP_SUCCESS);
		KT_EXPECT(t, writable((phys_addr_t)p));
		rmp_destroy(own);
	}
	free_pages(hv_pool, p, 0, OWN_TEST);
}

/* In the child: a private page prepared, read, then written. Prints
 * "read ok" after the read; never returns. */
static __attribute__((noreturn)) void child(struct vmm *v)
{
	struct vm_fault f;
	struct env e;
	u8 b;

	e.vm = v->ops->create_vm(v, GMV_VM_SNP);
	e.g = v->ops->create_gmem(v, e.vm, 4 << 20, GMV_GMEM_FLAG_MMAP);
	if (e.vm < 0 || e.g < 0 || case_bind(v, e.vm, 0, GB, 4 << 20, e.g, 0) ||
	    priv(v, &e, GB + 5 * PG, &f))
		_exit(3);
	printf("pa %p\n", (void *)f.pa);
	b = *(volatile u8 *)f.pa;
	printf("read ok %u\n", b);
	fflush(stdout);
	*(volatile u8 *)f.pa = b;
	printf("write went through\n");
	fflush(stdout);
	_exit(0);
}

/* The child dies of the report (SIGABRT) after its read, and the report
 * names the page and its entry. */
NATIVE_CASE(rmp_guard_host_write_is_reported)
{
	char out[4096] = "", want[160];
	int fds[2], status = 0;
	size_t len = 0;
	ssize_t n;
	void *pa;
	pid_t pid;

	if (!KT_EXPECT_OK(t, pipe(fds)))
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		child(v);
	}
	close(fds[1]);
	while (len < sizeof(out) - 1 &&
	       (n = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = 0;
	close(fds[0]);
	if (KT_EXPECT(t, pid > 0))
		waitpid(pid, &status, 0);
	KT_EXPECT(t, WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	KT_EXPECT(t, sscanf(out, "pa %p", &pa) == 1);
	snprintf(want, sizeof(want),
		 "*read ok*RMP violation: host write to %p: RMP entry "
		 "assigned 1 asid 1 gpa 0x40000000 size 2M *",
		 pa);
	if (!KT_EXPECT(t, kt_glob_match(want, out) &&
				  !strstr(out, "write went through")))
		kt_diag(t, "child's output: %s", out);
}

static const struct kt_case rmp_guard_host_cases[] = {
	KT_CASE(rmp_guard_follows_assignment),
	KT_CASE(rmp_guard_firmware_page_and_unguarded_model),
	KT_CASE(rmp_guard_host_write_is_reported),
};

const struct kt_suite rmp_guard_host_suite = {
	.name = "rmp_guard_host",
	.cases = rmp_guard_host_cases,
	.n_cases = ARRAY_SIZE(rmp_guard_host_cases),
	.unsupported = native_unsupported,
};
