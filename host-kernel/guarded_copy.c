// SPDX-License-Identifier: MIT
/*
 * host-kernel/guarded_copy.c - SIGBUS-guarded copies (see guarded_copy.h).
 * The handler is installed only around the copy and the previous one is
 * put back afterwards, so sanitizers and callers keep their own.
 */
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "host-kernel/guarded_copy.h"
#include "hv/vmm.h"

/* Read by the handler: volatile so the stores are not moved or dropped. */
static __thread sigjmp_buf *volatile copy_env;
static __thread const char *volatile copy_lo, *volatile copy_hi;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	const char *addr = si->si_addr;

	if (copy_env && addr >= copy_lo && addr < copy_hi)
		siglongjmp(*copy_env, 1);
	/* Not ours: let the default action run when the access repeats. */
	signal(sig, SIG_DFL);
}

int guarded_copy(void *dst, const void *src, size_t len, const void *map,
		 size_t map_len)
{
	volatile char *d = dst;
	const volatile char *s = src;
	struct sigaction sa, old;
	sigjmp_buf env;
	int ret = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);
	copy_lo = map;
	copy_hi = (const char *)map + map_len;
	if (sigsetjmp(env, 1) == 0) {
		copy_env = &env;
		for (size_t i = 0; i < len; i++)
			d[i] = s[i];
	} else {
		ret = -VMM_SIGBUS;
	}
	copy_env = NULL;
	sigaction(SIGBUS, &old, NULL);
	return ret;
}
