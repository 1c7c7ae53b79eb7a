// SPDX-License-Identifier: MIT
/*
 * tests/host/alloc_misuse_test.c - the buddy allocator refuses to be
 * misused (hv/alloc.h): freeing or splitting a block with the wrong order,
 * at an address not aligned to it, or outside the pool panics instead of
 * corrupting the free lists. A panic ends the process, so each case runs
 * the misuse in a child process and expects it to die (host only).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv/alloc.h"
#include "lib/ktap.h"
#include "plat/test_mem.h"
#include "tests/suites.h"

#define ARENA (2UL << 20)
/* A garbage order whose low bits are those of the order-2 block's head
 * metadata (META_HEAD | 2), and whose shift wraps to 2 on x86: only the
 * order check itself refuses it. */
#define GARBAGE_ORDER (0x80u | 2)

enum misuse {
	FREE_ORDER_TOO_BIG,
	FREE_UNALIGNED,
	FREE_OUTSIDE,
	FREE_WRONG_ORDER,
	SPLIT_ORDER_TOO_BIG,
	SPLIT_NEW_ORDER_BIGGER,
	SPLIT_UNALIGNED,
	SPLIT_OUTSIDE,
	FREE_WRONG_OWNER,
	SPLIT_WRONG_ORDER,
	SPLIT_WRONG_OWNER,
	NR_MISUSES
};

static const char *const misuse_names[NR_MISUSES] = {
	"free_pages with a garbage order",
	"free_pages of an address not aligned to the order",
	"free_pages of an address outside the pool",
	"free_pages with another order than allocated",
	"alloc_split with a garbage order",
	"alloc_split to a larger order",
	"alloc_split of an address not aligned to the order",
	"alloc_split of an address outside the pool",
	"free_pages with another owner than allocated",
	"alloc_split with another order than allocated",
	"alloc_split with another owner than allocated",
};

/* In the child: one misuse of a pool holding an order-2 block at b. */
static void misuse(struct page_pool *pool, u8 *b, enum misuse m)
{
	static u8 outside[2 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

	switch (m) {
	case FREE_ORDER_TOO_BIG:
		free_pages(pool, b, GARBAGE_ORDER, OWN_TEST);
		break;
	case FREE_UNALIGNED:
		free_pages(pool, b + PAGE_SIZE, 2, OWN_TEST);
		break;
	case FREE_OUTSIDE:
		free_pages(pool, outside, 0, OWN_TEST);
		break;
	case FREE_WRONG_ORDER:
		free_pages(pool, b, 1, OWN_TEST);
		break;
	case SPLIT_ORDER_TOO_BIG:
		alloc_split(pool, b, GARBAGE_ORDER, 0, OWN_TEST);
		break;
	case SPLIT_NEW_ORDER_BIGGER:
		alloc_split(pool, b, 2, 3, OWN_TEST);
		break;
	case SPLIT_UNALIGNED:
		alloc_split(pool, b + PAGE_SIZE, 2, 0, OWN_TEST);
		break;
	case SPLIT_OUTSIDE:
		alloc_split(pool, outside, 0, 0, OWN_TEST);
		break;
	case FREE_WRONG_OWNER:
		free_pages(pool, b, 2, OWN_GMEM);
		break;
	case SPLIT_WRONG_ORDER:
		alloc_split(pool, b, 1, 0, OWN_TEST);
		break;
	case SPLIT_WRONG_OWNER:
		alloc_split(pool, b, 2, 0, OWN_GMEM);
		break;
	default:
		break;
	}
}

/* Does misuse m panic (panic() aborts the host process: SIGABRT, where
 * a misuse that got through would crash otherwise or go on)? The child's
 * output goes to /dev/null, so its PANIC line stays out of the KTAP
 * document. */
static bool dies_of(struct kt *t, enum misuse m)
{
	static struct page_pool p;
	struct page_pool *pool = &p;
	void *mem = test_mem_alloc(ARENA);
	int status = 0;
	pid_t pid;
	u8 *b;

	if (!KT_EXPECT(t, mem != NULL))
		return false;
	alloc_pool_init(pool);
	KT_EXPECT_OK(t, alloc_add_region(pool, (phys_addr_t)mem, ARENA));
	b = alloc_pages(pool, 2, OWN_TEST);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		misuse(pool, b, m);
		_exit(0);
	}
	if (KT_EXPECT(t, pid > 0))
		waitpid(pid, &status, 0);
	test_mem_free(mem, ARENA);
	return pid > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

/* Catches each of the argument checks of free_pages() and alloc_split()
 * dropped: the misuse would then go on and corrupt the pool. */
static void alloc_misuse_panics(struct kt *t)
{
	for (int m = 0; m < NR_MISUSES; m++)
		if (!KT_EXPECT(t, dies_of(t, m)))
			kt_diag(t, "survived: %s", misuse_names[m]);
}

static const struct kt_case alloc_misuse_cases[] = {
	KT_CASE(alloc_misuse_panics),
};

const struct kt_suite alloc_misuse_suite =
	KT_SUITE("alloc_misuse", alloc_misuse_cases);
