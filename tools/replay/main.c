// SPDX-License-Identifier: MIT
/*
 * tools/replay/main.c - gmem-replay: run a gmem trace on one backend and
 * print one result line per op, or (--diff) on both and print where they
 * differ. Usage and exit codes: README.md, "gmem-replay".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/replay/backends.h"
#include "tools/replay/trace.h"

#define EXIT_DIVERGED 1
#define EXIT_USAGE 2

struct lines {
	char **s;
	unsigned int *line;
	size_t n, cap;
	bool nomem;
};

struct allowed {
	unsigned int line;
	char *reason;
	bool used;
};

struct allow_list {
	struct allowed *e;
	size_t n;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: gmem-replay [--backend native|linux] TRACE\n"
		"       gmem-replay --diff [--allow FILE] TRACE\n"
		"TRACE may be - for standard input; --allow goes with --diff.\n");
	exit(EXIT_USAGE);
}

/*
 * The whole of path ("-": standard input). NULL with errno set when it
 * cannot be opened or read: a directory fails here with EISDIR, not as an
 * empty trace.
 */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 4096, n = 0, got;
	char *buf;
	int err = 0;

	if (!f)
		return NULL;
	errno = 0;
	buf = malloc(cap);
	if (!buf)
		err = ENOMEM;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		char *p;

		n += got;
		if (n < cap)
			continue;
		p = realloc(buf, cap * 2);
		if (!p) {
			err = ENOMEM;
			break;
		}
		buf = p;
		cap *= 2;
	}
	if (!err && ferror(f))
		err = errno ? errno : EIO;
	if (f != stdin)
		fclose(f);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	*len = n;
	return buf;
}

static void print_line(void *arg, const struct trace_op *op,
		       const char *text)
{
	puts(text);
}

static void keep_line(void *arg, const struct trace_op *op, const char *text)
{
	struct lines *l = arg;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		char **s = realloc(l->s, ncap * sizeof(*s));
		unsigned int *ln = s ? realloc(l->line, ncap * sizeof(*ln)) :
				       NULL;

		if (s)
			l->s = s;
		if (!ln) {
			l->nomem = true;
			return;
		}
		l->line = ln;
		l->cap = ncap;
	}
	l->s[l->n] = strdup(text);
	if (!l->s[l->n]) {
		l->nomem = true;
		return;
	}
	l->line[l->n++] = op->line;
}

static void free_lines(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	free(l->line);
}

/* Run t on the named backend; hooks decide where the results go. */
static int run_on(const char *name, const struct trace *t,
		  const struct trace_hooks *h)
{
	struct vmm v = { 0 };
	int ret = backend_open(name, &v);

	if (ret) {
		fprintf(stderr, "gmem-replay: cannot open backend '%s': %s\n",
			name, strerror(-ret));
		return ret;
	}
	ret = trace_run(t, &v, h);
	backend_close(&v);
	if (ret)
		fprintf(stderr, "gmem-replay: %s: out of memory\n", name);
	return ret;
}

/*
 * The allow-list: lines "<trace file name>:<line> <reason>"; '#' starts
 * a comment line. Only entries for this trace's file name are kept. A
 * missing file is an empty list unless must_exist (given with --allow).
 */
static int load_allow(const char *path, const char *trace_name,
		      bool must_exist, struct allow_list *al)
{
	FILE *f = fopen(path, "r");
	char buf[512];
	size_t nlen = strlen(trace_name);
	int ret;

	al->e = NULL;
	al->n = 0;
	if (!f)
		return errno == ENOENT && !must_exist ? 0 : -errno;
	errno = 0;
	while (fgets(buf, sizeof(buf), f)) {
		char *p = buf, *end;
		unsigned long line;
		struct allowed *e;

		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0] == '#' || buf[0] == '\0')
			continue;
		if (strncmp(p, trace_name, nlen) || p[nlen] != ':')
			continue;
		line = strtoul(p + nlen + 1, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		e = realloc(al->e, (al->n + 1) * sizeof(*e));
		if (!e)
			break;
		al->e = e;
		al->e[al->n++] = (struct allowed){
			.line = (unsigned int)line,
			.reason = strdup(*end ? end : "(no reason given)"),
		};
	}
	ret = ferror(f) ? -(errno ? errno : EIO) : 0;
	fclose(f);
	return ret;
}

static struct allowed *find_allowed(struct allow_list *al, unsigned int line)
{
	for (size_t i = 0; i < al->n; i++)
		if (al->e[i].line == line)
			return &al->e[i];
	return NULL;
}

/* The trace's file name without its directories. */
static const char *file_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int do_diff(const char *trace_path, const char *allow_path,
		   bool allow_given, const struct trace *t)
{
	struct lines nat = { 0 }, lin = { 0 };
	struct trace_hooks hn = { .emit = keep_line, .arg = &nat };
	struct trace_hooks hl = { .emit = keep_line, .arg = &lin };
	const char *name = file_name(trace_path);
	unsigned int agree = 0, intentional = 0, unexplained = 0;
	struct allow_list al;
	int ret = EXIT_USAGE;

	ret = load_allow(allow_path, name, allow_given, &al);
	if (ret) {
		fprintf(stderr, "gmem-replay: cannot read the allow-list %s: %s\n",
			allow_path, strerror(-ret));
		return EXIT_USAGE;
	}
	ret = EXIT_USAGE;
	if (run_on("native", t, &hn) || run_on("linux", t, &hl))
		goto out;
	if (nat.nomem || lin.nomem || nat.n != lin.n) {
		fprintf(stderr, "gmem-replay: a run stopped early\n");
		goto out;
	}
	for (size_t i = 0; i < nat.n; i++) {
		struct allowed *a;

		if (!strcmp(nat.s[i], lin.s[i])) {
			agree++;
			continue;
		}
		a = find_allowed(&al, nat.line[i]);
		if (a) {
			a->used = true;
			intentional++;
			printf("%s:%u: intentional (%s): native '%s', "
			       "linux '%s'\n",
			       name, nat.line[i], a->reason, nat.s[i],
			       lin.s[i]);
		} else {
			unexplained++;
			printf("%s:%u: DIVERGES: native '%s', linux '%s'\n",
			       name, nat.line[i], nat.s[i], lin.s[i]);
		}
	}
	for (size_t i = 0; i < al.n; i++)
		if (!al.e[i].used)
			fprintf(stderr,
				"gmem-replay: %s:%u is allowed to diverge "
				"but agrees\n",
				name, al.e[i].line);
	printf("diff %s: %zu ops, %u agree, %u intentional, %u unexplained\n",
	       name, nat.n, agree, intentional, unexplained);
	ret = unexplained ? EXIT_DIVERGED : 0;
out:
	for (size_t i = 0; i < al.n; i++)
		free(al.e[i].reason);
	free(al.e);
	free_lines(&nat);
	free_lines(&lin);
	return ret;
}

/* The default allow-list sits next to the trace. */
static char *default_allow(const char *trace_path)
{
	static const char leaf[] = "intentional-divergences";
	size_t dir = file_name(trace_path) - trace_path;
	char *path = malloc(dir + sizeof(leaf));

	if (path) {
		memcpy(path, trace_path, dir);
		memcpy(path + dir, leaf, sizeof(leaf));
	}
	return path;
}

int main(int argc, char **argv)
{
	const char *backend = "native", *allow = NULL, *path = NULL;
	struct trace_hooks h = { .emit = print_line };
	struct trace_error err;
	struct trace t;
	char *allow_buf = NULL, *text;
	bool diff = false;
	size_t len;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--backend") && i + 1 < argc)
			backend = argv[++i];
		else if (!strcmp(argv[i], "--diff"))
			diff = true;
		else if (!strcmp(argv[i], "--allow") && i + 1 < argc)
			allow = argv[++i];
		else if (!path && (argv[i][0] != '-' || !argv[i][1]))
			path = argv[i];
		else
			usage();
	}
	if (!path || (allow && !diff))
		usage();
	text = read_all(path, &len);
	if (!text) {
		fprintf(stderr, "gmem-replay: cannot read %s: %s\n", path,
			strerror(errno));
		return EXIT_USAGE;
	}
	ret = trace_parse(text, len, NULL, &t, &err);
	free(text);
	if (ret) {
		fprintf(stderr, "error: line %u: %s\n", err.line, err.msg);
		return EXIT_USAGE;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (diff) {
		bool given = allow;

		if (!allow)
			allow = allow_buf = default_allow(path);
		ret = allow ? do_diff(path, allow, given, &t) : EXIT_USAGE;
	} else {
		ret = run_on(backend, &t, &h) ? EXIT_USAGE : 0;
	}
	free(allow_buf);
	trace_free(&t);
	return ret;
}
