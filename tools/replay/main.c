// SPDX-License-Identifier: MIT
/*
 * tools/replay/main.c - gmem-replay: run a gmem trace on one backend and
 * print one result line per op, or (--diff) on both and print where they
 * differ. Usage and exit codes: README.md, "gmem-replay".
 */
#include <errno.h>
#include <limits.h>
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

/* One allow-list entry: the divergence it allows and why. */
struct allowed {
	unsigned int line;	/* the op's line in the trace */
	unsigned int at;	/* the entry's own line in the allow-list */
	char *nat_result;	/* the native result it allows */
	char *lin_result;	/* the linux result it allows */
	char *reason;
	bool used;
};

struct allow_list {
	const char *path;
	struct allowed *e;
	size_t n;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: gmem-replay [--backend native|linux] TRACE\n"
		"       gmem-replay --diff [--allow FILE] [--linux-output FILE] "
		"TRACE\n"
		"TRACE may be - for standard input.\n");
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
 * A plain run: on a backend without guest_memfd for the default VMs the
 * traces create, one "# skip: <reason>" line and nothing run (the
 * cross-check counts the trace as skipped on that kernel).
 */
static int run_plain(const char *name, const struct trace *t,
		     const struct trace_hooks *h)
{
	struct vmm v = { 0 };
	const char *why;

	if (!backend_open(name, &v)) {
		/* A backend with no KVM at all (VCPU lacking too) is not a
		 * skip: the run below says what fails. */
		why = v.ops->lacks(&v, VMM_FEAT_VCPU) ?
			      NULL :
			      v.ops->lacks(&v, VMM_FEAT_GUEST_MEMFD);
		if (why)
			printf("# skip: %s\n", why);
		backend_close(&v);
		if (why)
			return 0;
	}
	return run_on(name, t, h);
}

static char *skip_blank(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * At *p, blanks, then "<word> '<result>'": NUL-terminates the result in
 * place, moves *p past its closing quote and returns it; NULL when the
 * text has another shape or the result is empty.
 */
static char *quoted(char **p, const char *word)
{
	size_t n = strlen(word);
	char *s = skip_blank(*p), *end;

	if (strncmp(s, word, n) || (s[n] != ' ' && s[n] != '\t'))
		return NULL;
	s = skip_blank(s + n);
	if (*s != '\'')
		return NULL;
	end = strchr(s + 1, '\'');
	if (!end || end == s + 1)
		return NULL;
	*end = '\0';
	*p = end + 1;
	return s + 1;
}

/*
 * One entry, "<trace file name>:<line> native '<result>' linux '<result>'
 * <reason>", cut up in place. Returns false when the line has another
 * shape.
 */
static bool parse_entry(char *text, char **trace_name, struct allowed *e)
{
	char *colon = strchr(text, ':'), *p, *end;
	unsigned long line;

	if (!colon || colon == text || colon[1] < '0' || colon[1] > '9')
		return false;
	*colon = '\0';
	*trace_name = text;
	errno = 0;
	line = strtoul(colon + 1, &end, 10);
	if (errno || !line || line > UINT_MAX)
		return false;
	p = end;
	if (*p != ' ' && *p != '\t')
		return false;
	e->line = (unsigned int)line;
	e->nat_result = quoted(&p, "native");
	if (!e->nat_result || (*p != ' ' && *p != '\t'))
		return false;
	e->lin_result = quoted(&p, "linux");
	if (!e->lin_result || (*p != ' ' && *p != '\t'))
		return false;
	e->reason = skip_blank(p);
	return *e->reason != '\0';
}

/*
 * Read the allow-list at path (format: README.md, "--diff and intentional
 * divergences"); '#' starts a comment line. Every entry must be well
 * formed and name a trace line once; only the entries for trace_name are
 * kept. A missing file is an empty list unless must_exist (--allow).
 * Returns 0, or -1 after a message on stderr.
 */
static int load_allow(const char *path, const char *trace_name,
		      bool must_exist, struct allow_list *al)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	unsigned int at = 0;
	ssize_t len;
	int ret = 0;

	al->path = path;
	al->e = NULL;
	al->n = 0;
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		fprintf(stderr, "gmem-replay: cannot read the allow-list %s: "
			"%s\n", path, strerror(errno));
		return -1;
	}
	errno = 0;
	while ((len = getline(&buf, &cap, f)) >= 0) {
		struct allowed e = { .at = ++at };
		char *text = skip_blank(buf), *name;
		struct allowed *grown;

		while (len > 0 && strchr(" \t\r\n", buf[len - 1]))
			buf[--len] = '\0';
		if (*text == '#' || *text == '\0')
			continue;
		if (!parse_entry(text, &name, &e)) {
			fprintf(stderr, "gmem-replay: %s:%u: not an allow-list "
				"entry \"<trace>:<line> native '<result>' "
				"linux '<result>' <reason>\"\n", path, at);
			ret = -1;
			break;
		}
		if (strcmp(name, trace_name))
			continue;
		for (size_t i = 0; i < al->n; i++) {
			if (al->e[i].line != e.line)
				continue;
			fprintf(stderr, "gmem-replay: %s:%u: %s:%u is allowed "
				"already at line %u\n", path, at, name, e.line,
				al->e[i].at);
			ret = -1;
		}
		if (ret)
			break;
		grown = realloc(al->e, (al->n + 1) * sizeof(*grown));
		e.nat_result = strdup(e.nat_result);
		e.lin_result = strdup(e.lin_result);
		e.reason = strdup(e.reason);
		if (grown)
			al->e = grown;
		if (!grown || !e.nat_result || !e.lin_result || !e.reason) {
			free(e.nat_result);
			free(e.lin_result);
			free(e.reason);
			fprintf(stderr, "gmem-replay: out of memory\n");
			ret = -1;
			break;
		}
		al->e[al->n++] = e;
	}
	if (!ret && ferror(f)) {
		fprintf(stderr, "gmem-replay: cannot read the allow-list %s: "
			"%s\n", path, strerror(errno ? errno : EIO));
		ret = -1;
	}
	free(buf);
	fclose(f);
	return ret;
}

static void free_allow(struct allow_list *al)
{
	for (size_t i = 0; i < al->n; i++) {
		free(al->e[i].nat_result);
		free(al->e[i].lin_result);
		free(al->e[i].reason);
	}
	free(al->e);
}

static struct allowed *find_allowed(struct allow_list *al, unsigned int line)
{
	for (size_t i = 0; i < al->n; i++)
		if (al->e[i].line == line)
			return &al->e[i];
	return NULL;
}

/*
 * The linux side from a file (--linux-output): one result line per op of
 * t, as a "--backend linux" run printed them (traces/X.expected).
 * Returns 0, or -1 after a message on stderr.
 */
static int read_results(const char *path, const struct trace *t,
			struct lines *l)
{
	size_t len, i = 0, pos = 0;
	char *text = read_all(path, &len);
	struct trace_op op = { 0 };

	if (!text) {
		fprintf(stderr, "gmem-replay: cannot read %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	for (; pos < len && !l->nomem; i++) {
		char *nl = memchr(text + pos, '\n', len - pos);

		if (!nl)
			break;
		*nl = '\0';
		if (i < t->n_ops) {
			op.line = t->ops[i].line;
			keep_line(l, &op, text + pos);
		}
		pos = nl - text + 1;
	}
	free(text);
	if (l->nomem) {
		fprintf(stderr, "gmem-replay: out of memory\n");
		return -1;
	}
	if (pos < len) {
		fprintf(stderr, "gmem-replay: %s: the last line has no "
			"newline\n", path);
		return -1;
	}
	if (i != t->n_ops) {
		fprintf(stderr, "gmem-replay: %s has %zu result lines, the "
			"trace %zu ops\n", path, i, t->n_ops);
		return -1;
	}
	return 0;
}

/* The trace's file name without its directories. */
static const char *file_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Why allow-list entry a matched no divergence of the run. */
static void print_stale(const char *name, const struct allow_list *al,
			const struct allowed *a, const struct lines *nat,
			const struct lines *lin)
{
	size_t i = 0;

	printf("%s:%u: STALE: %s:%u allows native '%s', linux '%s', but ",
	       name, a->line, al->path, a->at, a->nat_result, a->lin_result);
	while (i < nat->n && nat->line[i] != a->line)
		i++;
	if (i == nat->n)
		printf("no op is on line %u\n", a->line);
	else if (!strcmp(nat->s[i], lin->s[i]))
		printf("both give '%s'\n", nat->s[i]);
	else
		printf("the run gives native '%s', linux '%s'\n", nat->s[i],
		       lin->s[i]);
}

/*
 * --diff: the trace on native and on linux (or linux's results read from
 * linux_output), compared line by line against the allow-list.
 */
static int do_diff(const char *trace_path, const char *allow_path,
		   bool allow_given, const char *linux_output,
		   const struct trace *t)
{
	struct lines nat = { 0 }, lin = { 0 };
	struct trace_hooks hn = { .emit = keep_line, .arg = &nat };
	struct trace_hooks hl = { .emit = keep_line, .arg = &lin };
	const char *name = file_name(trace_path);
	unsigned int agree = 0, intentional = 0, unexplained = 0, stale = 0;
	struct allow_list al;
	int ret = EXIT_USAGE;

	if (load_allow(allow_path, name, allow_given, &al))
		return EXIT_USAGE;
	if (linux_output && read_results(linux_output, t, &lin))
		goto out;
	if (run_on("native", t, &hn) ||
	    (!linux_output && run_on("linux", t, &hl)))
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
		if (a && !strcmp(a->nat_result, nat.s[i]) &&
		    !strcmp(a->lin_result, lin.s[i])) {
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
	for (size_t i = 0; i < al.n; i++) {
		if (al.e[i].used)
			continue;
		stale++;
		print_stale(name, &al, &al.e[i], &nat, &lin);
	}
	printf("diff %s: %zu ops, %u agree, %u intentional, %u unexplained, "
	       "%u stale\n",
	       name, nat.n, agree, intentional, unexplained, stale);
	ret = unexplained || stale ? EXIT_DIVERGED : 0;
out:
	free_allow(&al);
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
	const char *linux_output = NULL;
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
		else if (!strcmp(argv[i], "--linux-output") && i + 1 < argc)
			linux_output = argv[++i];
		else if (!path && (argv[i][0] != '-' || !argv[i][1]))
			path = argv[i];
		else
			usage();
	}
	if (!path || ((allow || linux_output) && !diff))
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
		ret = allow ? do_diff(path, allow, given, linux_output, &t) :
			      EXIT_USAGE;
	} else {
		ret = run_plain(backend, &t, &h) ? EXIT_USAGE : 0;
	}
	free(allow_buf);
	trace_free(&t);
	return ret;
}
