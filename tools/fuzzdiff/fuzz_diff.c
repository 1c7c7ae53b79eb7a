// SPDX-License-Identifier: MIT
/*
 * tools/fuzzdiff/fuzz_diff.c - gmem-fuzz-diff: differential fuzzing of
 * the native backend against Linux (README.md, "make fuzz-diff").
 *
 * Generated traces and mutations of the seed traces run on the native
 * backend, with the invariant checker after every op, and on the other
 * backend (linux: real ioctls), compared op by op. A divergence the fuzz
 * allow-list explains is counted; any other, and any failed invariant,
 * is minimized and printed as a reproducer trace between "=== repro N"
 * and "=== end repro N" lines (and written to --out DIR/repro-N.trace).
 * Self-contained: seeds and the allow-list are built in, so the static
 * binary runs alone inside a booted kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hv/vmm_native.h"
#include "tools/fuzzdiff/diff_run.h"
#include "tools/fuzzdiff/embed.h"
#include "tools/fuzzdiff/gen.h"
#include "tools/fuzzdiff/rules.h"
#include "tools/replay/backends.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
/* Distinct failures minimized and saved; more are only counted. */
#define MAX_REPROS 16
#define MINIMIZE_RUNS 600
#define TRACE_OPS_MAX 160

struct opts {
	double seconds;
	unsigned long long ops;
	unsigned long long seed;
	const char *out, *allow, *against, *replay;
	bool seed_given;
};

struct seeds {
	struct trace *t;
	size_t n;
};

struct stats {
	unsigned long long ops, traces, generated, mutated, explained;
	unsigned long unexplained, invariant, repros, bounded;
	struct outcome seen[MAX_REPROS];
};

static void usage(const char *why)
{
	if (why)
		fprintf(stderr, "gmem-fuzz-diff: %s\n", why);
	fprintf(stderr,
		"usage: gmem-fuzz-diff [--seconds S] [--ops N] [--seed N] "
		"[--out DIR]\n"
		"                      [--allow FILE] [--against linux|native|"
		"native-planted]\n"
		"       gmem-fuzz-diff [--allow FILE] [--against ...] "
		"--replay TRACE\n"
		"Stops at S seconds or N ops, whichever comes first (default "
		"60 s).\n");
	exit(EXIT_USAGE);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long number_arg(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "gmem-fuzz-diff: %s wants a number, got '%s'\n",
			opt, s);
		exit(EXIT_USAGE);
	}
	return v;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	bool bounded = false;

	*o = (struct opts){.seconds = 60, .against = "linux"};
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (a[0] != '-' || a[1] != '-')
			usage("unexpected argument");
		if (!v && strcmp(a, "--help"))
			usage("an option needs its value");
		if (!strcmp(a, "--seconds")) {
			char *end;

			o->seconds = strtod(v, &end);
			if (end == v || *end || !(o->seconds > 0)) {
				fprintf(stderr,
					"gmem-fuzz-diff: --seconds "
					"wants a positive number, got '%s'\n",
					v);
				exit(EXIT_USAGE);
			}
			if (!bounded)
				o->ops = 0;
			bounded = true;
		} else if (!strcmp(a, "--ops")) {
			o->ops = number_arg(a, v);
			if (!o->ops)
				usage("--ops must be at least 1");
			if (!bounded)
				o->seconds = 0;
			bounded = true;
		} else if (!strcmp(a, "--seed")) {
			o->seed = number_arg(a, v);
			o->seed_given = true;
		} else if (!strcmp(a, "--out")) {
			o->out = v;
		} else if (!strcmp(a, "--allow")) {
			o->allow = v;
		} else if (!strcmp(a, "--against")) {
			o->against = v;
		} else if (!strcmp(a, "--replay")) {
			o->replay = v;
		} else {
			usage(NULL);
		}
	}
	if (strcmp(o->against, "linux") && strcmp(o->against, "native") &&
	    strcmp(o->against, "native-planted")) {
		fprintf(stderr,
			"gmem-fuzz-diff: unknown backend '%s' for "
			"--against (linux, native or native-planted)\n",
			o->against);
		exit(EXIT_USAGE);
	}
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fclose(f);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return NULL;
	}
	buf = malloc(st.st_size + 1);
	if (buf && fread(buf, 1, st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	fclose(f);
	if (buf)
		*len = st.st_size;
	return buf;
}

/*
 * The planted bug of --against native-planted (for the tool's own
 * tests): the native backend, except that a punch of 8 KiB or more whose
 * end is a 2 MiB chunk edge, once done, reports EINVAL.
 */
static struct vmm_ops planted_ops;

static int planted_fallocate(struct vmm *v, int gmem, int mode, s64 offset,
			     s64 len)
{
	int ret = vmm_native_ops.fallocate(v, gmem, mode, offset, len);

	if (!ret && mode == (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE) &&
	    len >= 0x2000 && !((offset + len) & 0x1fffff))
		return -EINVAL;
	return ret;
}

static int open_other(const char *name, struct vmm *v)
{
	bool planted = !strcmp(name, "native-planted");
	int ret = backend_open(planted ? "native" : name, v);

	if (!ret && planted) {
		planted_ops = vmm_native_ops;
		planted_ops.fallocate = planted_fallocate;
		v->ops = &planted_ops;
	}
	return ret;
}

static void caps_of(struct vmm *v, struct gen_caps *c)
{
	const struct vmm_ops *o = v->ops;

	c->sw_protected = !o->lacks(v, VMM_FEAT_SW_PROTECTED_VM);
	c->attributes = !o->lacks(v, VMM_FEAT_MEMORY_ATTRIBUTES);
	c->nr_as =
		MAX(o->check_extension(v, -1, GMV_CAP_MULTI_ADDRESS_SPACE), 1);
	c->max_as = c->nr_as;
	c->gmem_flags = 0;
	if (!o->lacks(v, VMM_FEAT_GMEM_MMAP))
		c->gmem_flags |= GMV_GMEM_FLAG_MMAP;
	if (!o->lacks(v, VMM_FEAT_GMEM_INIT_SHARED))
		c->gmem_flags |= GMV_GMEM_FLAG_INIT_SHARED;
}

static int load_rules(const char *path, struct rules *rs)
{
	const char *text = NULL, *name = path;
	char *buf = NULL, err[256];
	size_t len = 0;
	int ret;

	if (path) {
		buf = read_file(path, &len);
		if (!buf) {
			fprintf(stderr,
				"gmem-fuzz-diff: cannot read the "
				"allow-list %s: %s\n",
				path, strerror(errno));
			return -1;
		}
		text = buf;
	} else {
		name = "fuzz-divergences";
		for (size_t i = 0; i < n_embedded_files; i++)
			if (!strcmp(embedded_files[i].name, name))
				text = embedded_files[i].text;
		len = text ? strlen(text) : 0;
	}
	ret = text ? rules_parse(text, len, name, rs, err, sizeof(err)) : 0;
	if (ret)
		fprintf(stderr, "gmem-fuzz-diff: %s\n", err);
	free(buf);
	return ret;
}

static int load_seeds(struct seeds *s)
{
	s->t = calloc(n_embedded_files, sizeof(*s->t));
	s->n = 0;
	if (!s->t)
		return -ENOMEM;
	for (size_t i = 0; i < n_embedded_files; i++) {
		const struct embedded_file *f = &embedded_files[i];
		size_t n = strlen(f->name);
		struct trace_error err;

		if (n < 6 || strcmp(f->name + n - 6, ".trace"))
			continue;
		if (trace_parse(f->text, strlen(f->text), NULL, &s->t[s->n],
				&err)) {
			fprintf(stderr, "gmem-fuzz-diff: seed %s:%u: %s\n",
				f->name, err.line, err.msg);
			return -EINVAL;
		}
		s->n++;
	}
	return 0;
}

static void print_trace(FILE *f, const struct trace *t)
{
	char line[256];

	for (size_t i = 0; i < t->n_ops; i++) {
		trace_op_text(&t->ops[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
}

static const char *other_name = "linux";

static void describe(FILE *f, const struct outcome *o)
{
	char line[256];

	if (o->verdict == V_INVARIANT && !o->op.code && !o->op.given) {
		fprintf(f, "native invariant check failed after the final "
			   "reset");
		return;
	}
	trace_op_text(&o->op, line, sizeof(line));
	if (o->verdict == V_INVARIANT)
		fprintf(f, "native invariant check failed after '%s'", line);
	else
		fprintf(f, "'%s': native '%s', %s '%s'", line, o->nat,
			other_name, o->lin);
}

/* A failure: minimize it (once per kind), print it and save it. */
static void report(struct differ *d, const struct opts *opt, struct stats *s,
		   const struct trace *t, const struct outcome *o)
{
	struct trace m = {.ops = malloc(t->n_ops * sizeof(*t->ops)),
			  .n_ops = t->n_ops};
	struct outcome mo;
	unsigned long runs;
	char path[4096];
	FILE *f;

	if (o->verdict == V_INVARIANT)
		s->invariant++;
	else
		s->unexplained++;
	for (unsigned long i = 0; i < s->repros; i++)
		if (same_failure(&s->seen[i], o))
			goto out;
	printf("fuzz-diff: FAILURE in trace %llu, op %zu of %zu: ", s->traces,
	       o->at + 1, t->n_ops);
	describe(stdout, o);
	printf("\n");
	if (s->repros == MAX_REPROS || !m.ops) {
		printf("fuzz-diff: (not minimized: %s)\n",
		       m.ops ? "enough reproducers saved" : "out of memory");
		goto out;
	}
	s->seen[s->repros++] = *o;
	memcpy(m.ops, t->ops, t->n_ops * sizeof(*t->ops));
	runs = diff_minimize(d, &m, o, MINIMIZE_RUNS);
	printf("fuzz-diff: minimized from %zu to %zu ops in %lu runs\n",
	       t->n_ops, m.n_ops, runs);
	/* The header names the op as the small trace has it. */
	if (!diff_run(d, &m, &mo) && same_failure(&mo, o))
		o = &mo;
	printf("=== repro %lu\n# gmem-fuzz-diff reproducer %lu (seed %llu, "
	       "against %s): ",
	       s->repros, s->repros, opt->seed, opt->against);
	describe(stdout, o);
	printf("\n");
	print_trace(stdout, &m);
	printf("=== end repro %lu\n", s->repros);
	if (opt->out) {
		snprintf(path, sizeof(path), "%s/repro-%lu.trace", opt->out,
			 s->repros);
		f = fopen(path, "w");
		if (f) {
			fprintf(f,
				"# gmem-fuzz-diff reproducer %lu (seed %llu,"
				" against %s): ",
				s->repros, opt->seed, opt->against);
			describe(f, o);
			fprintf(f, "\n");
			print_trace(f, &m);
			fclose(f);
			printf("fuzz-diff: saved %s\n", path);
		} else {
			printf("fuzz-diff: cannot write %s: %s\n", path,
			       strerror(errno));
		}
	}
	fflush(stdout);
out:
	free(m.ops);
}

static void account(struct differ *d, const struct opts *opt, struct stats *s,
		    const struct trace *t, const struct outcome *o)
{
	s->traces++;
	s->ops += o->compared;
	s->explained += o->explained;
	s->bounded += o->bounded;
	if (o->verdict != V_AGREE)
		report(d, opt, s, t, o);
}

/* --replay: one trace file, every divergence printed. */
static int replay(struct differ *d, const struct opts *opt)
{
	struct trace_error err;
	struct outcome o;
	struct trace t;
	size_t len;
	char *text = read_file(opt->replay, &len);

	if (!text) {
		fprintf(stderr, "gmem-fuzz-diff: cannot read %s: %s\n",
			opt->replay, strerror(errno));
		return EXIT_USAGE;
	}
	if (trace_parse(text, len, NULL, &t, &err)) {
		fprintf(stderr, "error: line %u: %s\n", err.line, err.msg);
		free(text);
		return EXIT_USAGE;
	}
	free(text);
	gen_bound(d->caps, &t);
	if (diff_run(d, &t, &o)) {
		fprintf(stderr, "gmem-fuzz-diff: out of memory\n");
		trace_free(&t);
		return EXIT_USAGE;
	}
	printf("replay %s: %zu ops compared, %lu explained%s: ", opt->replay,
	       o.compared, o.explained,
	       o.bounded ? ", stopped at an op over the linux backend's bound"
			 : "");
	if (o.verdict == V_AGREE)
		printf("agree\n");
	else
		describe(stdout, &o), printf("\n");
	trace_free(&t);
	return o.verdict == V_AGREE ? 0 : EXIT_FAILED;
}

static int fuzz(struct differ *d, const struct opts *opt,
		const struct seeds *seeds)
{
	struct rng r = {.s = opt->seed};
	struct stats s = {0};
	double start = now(), last = start, t_now = start;

	for (;;) {
		struct outcome o;
		struct trace t;
		int ret;

		t_now = now();
		if ((opt->seconds && t_now - start >= opt->seconds) ||
		    (opt->ops && s.ops >= opt->ops))
			break;
		if (t_now - last >= 10) {
			printf("fuzz-diff: %.0f s, %llu ops, %.0f ops/s, %llu "
			       "traces, %lu unexplained\n",
			       t_now - start, s.ops, s.ops / (t_now - start),
			       s.traces, s.unexplained + s.invariant);
			fflush(stdout);
			last = t_now;
		}
		if (seeds->n && rng_next(&r) % 4 == 0) {
			ret = gen_mutate(&r, d->caps,
					 &seeds->t[rng_next(&r) % seeds->n],
					 TRACE_OPS_MAX, &t);
			s.mutated++;
		} else {
			ret = gen_trace(
				&r, d->caps,
				20 + rng_next(&r) % (TRACE_OPS_MAX - 20), &t);
			s.generated++;
		}
		if (!ret)
			ret = diff_run(d, &t, &o);
		if (ret) {
			fprintf(stderr, "gmem-fuzz-diff: out of memory\n");
			trace_free(&t);
			return EXIT_USAGE;
		}
		account(d, opt, &s, &t, &o);
		trace_free(&t);
	}
	t_now = now() - start;
	printf("fuzz-diff: seed %llu, native against %s, %.1f s\n", opt->seed,
	       opt->against, t_now);
	printf("fuzz-diff: %llu traces (%llu generated, %llu mutated), %llu "
	       "ops compared, %.0f ops/s, %lu runs in all\n",
	       s.traces, s.generated, s.mutated, s.ops,
	       t_now > 0 ? s.ops / t_now : 0, d->runs);
	for (size_t i = 0; i < d->rules->n; i++)
		if (d->rules->r[i].hits)
			printf("fuzz-diff: explained %lu x by allow-list line "
			       "%u: %s\n",
			       d->rules->r[i].hits, d->rules->r[i].at,
			       d->rules->r[i].reason);
	if (s.bounded)
		printf("fuzz-diff: %lu traces stopped at an op the linux "
		       "backend refused as over its bound (err OVER_BOUND)\n",
		       s.bounded);
	printf("fuzz-diff: %llu explained divergences, %lu unexplained, %lu "
	       "invariant failures, %lu reproducers\n",
	       s.explained, s.unexplained, s.invariant, s.repros);
	printf("fuzz-diff: %s\n",
	       s.unexplained || s.invariant ? "FAIL" : "PASS");
	return s.unexplained || s.invariant ? EXIT_FAILED : 0;
}

int main(int argc, char **argv)
{
	struct vmm native = {0}, other = {0};
	struct seeds seeds = {0};
	struct rules rules = {0};
	struct gen_caps caps, ncaps;
	struct differ d = {.native = &native,
			   .other = &other,
			   .rules = &rules,
			   .caps = &caps};
	struct opts opt;
	const char *why;
	int ret;

	parse_opts(argc, argv, &opt);
	other_name = opt.against;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!opt.seed_given)
		opt.seed = (unsigned long long)time(NULL) ^
			   ((unsigned long long)clock() << 20);
	if (opt.out && mkdir(opt.out, 0777) && errno != EEXIST) {
		fprintf(stderr, "gmem-fuzz-diff: cannot make %s: %s\n", opt.out,
			strerror(errno));
		return EXIT_USAGE;
	}
	if (load_rules(opt.allow, &rules) || load_seeds(&seeds))
		return EXIT_USAGE;
	ret = backend_open("native", &native);
	if (!ret)
		ret = open_other(opt.against, &other);
	if (ret) {
		fprintf(stderr,
			"gmem-fuzz-diff: cannot open the backends: "
			"%s\n",
			strerror(-ret));
		return EXIT_USAGE;
	}
	why = other.ops->lacks(&other, VMM_FEAT_GUEST_MEMFD);
	if (why) {
		fprintf(stderr, "gmem-fuzz-diff: backend %s cannot run: %s\n",
			opt.against, why);
		return EXIT_USAGE;
	}
	/* Only what both have (gen_bound()). */
	caps_of(&other, &caps);
	caps_of(&native, &ncaps);
	caps.sw_protected &= ncaps.sw_protected;
	caps.attributes &= ncaps.attributes;
	caps.gmem_flags &= ncaps.gmem_flags;
	caps.max_as = MAX(caps.nr_as, ncaps.nr_as);
	caps.nr_as = MIN(caps.nr_as, ncaps.nr_as);
	printf("fuzz-diff: native against %s: SW_PROTECTED VMs %s, memory "
	       "attributes %s, gmem flags %#llx, memslot address spaces %u "
	       "(%u on one side); %zu seed traces, %zu allow-list entries\n",
	       opt.against, caps.sw_protected ? "yes" : "no",
	       caps.attributes ? "yes" : "no",
	       (unsigned long long)caps.gmem_flags, caps.nr_as, caps.max_as,
	       seeds.n, rules.n);
	ret = opt.replay ? replay(&d, &opt) : fuzz(&d, &opt, &seeds);
	backend_close(&other);
	backend_close(&native);
	for (size_t i = 0; i < seeds.n; i++)
		trace_free(&seeds.t[i]);
	free(seeds.t);
	rules_free(&rules);
	return ret;
}
