/* SPDX-License-Identifier: MIT */
/*
 * plat/host/kt_isolate.h - running each test case in its own child
 * process with a time and a memory bound (struct kt_options.run). The
 * runners that talk to a real kernel (conformance-linux --backend linux,
 * guests-linux, linux-backend-tests) use it, so that no case can hang the
 * run or grow without bound:
 *
 *  - time: the parent waits at most kt_isolation.seconds for the child's
 *    verdict, then SIGKILLs it and reports "not ok N case # timed out
 *    after S s". The child keeps SIGALRM for its own use (the vCPU run
 *    limit). A child stuck inside a system call that ignores even SIGKILL
 *    is left behind after a grace period, with a diagnostic.
 *  - memory: the child runs under RLIMIT_DATA = kt_isolation.data_limit,
 *    which counts its private writable memory (heap, the anonymous memory
 *    behind memslots), so a runaway allocation fails with ENOMEM. Memory
 *    the kernel keeps for the case (guest_memfd pages, per-gfn attribute
 *    entries, memslot metadata) is not counted there: the linux backend
 *    bounds each request instead (host-kernel/vmm_linux.c, LX_GFN_BOUND).
 *
 * A child that dies before reporting (a crash) fails its case with how it
 * ended ("killed by signal 11"). The parent's own state is not touched by
 * the case, so the next case starts clean whatever this one did.
 */
#ifndef GMV_PLAT_HOST_KT_ISOLATE_H
#define GMV_PLAT_HOST_KT_ISOLATE_H

#include "lib/ktap.h"

/* Default bounds: no Linux-side case needs more than a few seconds (the
 * slowest, under nested QEMU TCG, about 3 s) or a few hundred MiB. */
#define KT_ISOLATE_SECONDS 60
#define KT_ISOLATE_DATA_LIMIT (4ULL << 30)
/* How long a SIGKILLed child may take to go before it is left behind. */
#define KT_ISOLATE_GRACE_SECONDS 10

struct kt_isolation {
	unsigned int seconds;
	u64 data_limit; /* bytes, RLIMIT_DATA */
};

/* The bounds kt_isolated_run() applies (defaults above). */
extern struct kt_isolation kt_isolation;

/* struct kt_options.run: body(t) in a child process, within the bounds. */
void kt_isolated_run(struct kt *t, void (*body)(struct kt *t));

#endif
