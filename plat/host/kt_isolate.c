// SPDX-License-Identifier: MIT
/* plat/host/kt_isolate.c - a test case per child process (kt_isolate.h). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plat/host/kt_isolate.h"

struct kt_isolation kt_isolation = {
	.seconds = KT_ISOLATE_SECONDS,
	.data_limit = KT_ISOLATE_DATA_LIMIT,
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static __attribute__((noreturn)) void child(struct kt *t,
					    void (*body)(struct kt *t), int fd)
{
	struct rlimit rl = { kt_isolation.data_limit, kt_isolation.data_limit };
	struct kt_verdict v;

	if (setrlimit(RLIMIT_DATA, &rl))
		kt_check(t, false, __FILE__, __LINE__,
			 "cannot bound the case's memory: setrlimit: %s",
			 strerror(errno));
	else
		body(t);
	kt_verdict_get(t, &v);
	fflush(stdout);
	fflush(stderr);
	write_all(fd, &v, sizeof(v));
	_exit(0);
}

/*
 * Read up to len bytes of fd into buf until the deadline (ms, CLOCK_
 * MONOTONIC). Returns the bytes read; *eof tells whether the writer is
 * gone (its end closed: the child has ended).
 */
static size_t read_until(int fd, void *buf, size_t len, long long deadline,
			 bool *eof)
{
	size_t got = 0;

	*eof = false;
	while (got < len || !len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		char sink;
		ssize_t n;
		int r;

		if (left <= 0)
			break;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n = read(fd, len ? (char *)buf + got : &sink,
			 len ? len - got : 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*eof = true;
			break;
		}
		got += len ? (size_t)n : 0;
	}
	return got;
}

/* How a child that ended without its verdict went. */
static void note_end(struct kt *t, int status)
{
	if (WIFSIGNALED(status))
		kt_fail_note(t, "the case's process was killed by signal %d "
				"(%s)",
			     WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		kt_fail_note(t, "the case's process exited with status %d "
				"before reporting",
			     WEXITSTATUS(status));
}

static void collect(struct kt *t, pid_t pid, int fd)
{
	struct kt_verdict v;
	long long deadline = now_ms() + kt_isolation.seconds * 1000LL;
	bool eof;
	int status;

	if (read_until(fd, &v, sizeof(v), deadline, &eof) == sizeof(v)) {
		waitpid(pid, &status, 0);
		kt_verdict_set(t, &v);
		return;
	}
	if (eof) {
		waitpid(pid, &status, 0);
		note_end(t, status);
		return;
	}
	kill(pid, SIGKILL);
	kt_fail_note(t, "timed out after %u s", kt_isolation.seconds);
	/* The pipe reaches EOF when the child is gone. */
	read_until(fd, NULL, 0,
		   now_ms() + KT_ISOLATE_GRACE_SECONDS * 1000LL, &eof);
	if (eof)
		waitpid(pid, &status, 0);
	else
		kt_diag(t, "process %d still runs %d s after SIGKILL (inside "
			   "the kernel); left behind",
			(int)pid, KT_ISOLATE_GRACE_SECONDS);
}

void kt_isolated_run(struct kt *t, void (*body)(struct kt *t))
{
	int p[2];
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe(p)) {
		kt_fail_note(t, "cannot isolate the case: pipe: %s",
			     strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		kt_fail_note(t, "cannot isolate the case: fork: %s",
			     strerror(errno));
		close(p[0]);
		close(p[1]);
		return;
	}
	if (!pid) {
		close(p[0]);
		child(t, body, p[1]);
	}
	close(p[1]);
	collect(t, pid, p[0]);
	close(p[0]);
}
