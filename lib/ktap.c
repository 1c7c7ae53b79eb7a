// SPDX-License-Identifier: MIT
/* lib/ktap.c - the KTAP test runner declared in lib/ktap.h. */
#include "lib/ktap.h"
#include "lib/console.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define KT_PATH_MAX 256
/* Longest diagnostic printed; longer ones are cut, as kprintf() cuts. */
#define KT_DIAG_MAX 640

struct kt {
	const struct kt_options *opt;
	struct kt_totals totals;
	char path[KT_PATH_MAX]; /* "suite.child" of the running suite */
	int depth;		/* nesting of the running suite, 0 = top */
	void *ctx;
	const struct kt_case *c;
	unsigned int checks, failures;
	bool skipped;
	char skip_reason[160];
	char fail_note[160]; /* printed after "not ok N name # " */
	unsigned int nr; /* the running case's number in its suite */
};

/* The innermost run in progress, for kt_abort(); NULL outside kt_run(). */
static struct kt *running;

bool kt_glob_match(const char *glob, const char *text)
{
	const char *star = NULL, *resume = NULL;

	while (*text) {
		if (*glob == '*') {
			star = glob++;
			resume = text;
		} else if (*glob == '?' || *glob == *text) {
			glob++;
			text++;
		} else if (star) {
			glob = star + 1;
			text = ++resume;
		} else {
			return false;
		}
	}
	while (*glob == '*')
		glob++;
	return !*glob;
}

static void indent(int depth)
{
	for (int i = 0; i < depth; i++)
		kputs("    ");
}

/*
 * Print text as "# " diagnostic lines at depth, one per line of text: a
 * message holding a newline (a guest's report, a string compared) must
 * not end its diagnostic and print a line that a KTAP parser takes for a
 * result, a plan or the summary line.
 */
static void diag_lines(int depth, const char *text)
{
	for (;;) {
		size_t n = 0;

		while (text[n] && text[n] != '\n')
			n++;
		indent(depth);
		kputs("# ");
		plat_console_write(text, n);
		kputs("\n");
		if (!text[n])
			return;
		text += n + 1;
	}
}

/* head, then fmt formatted, as diagnostic lines of the running suite. */
static void vdiag(struct kt *t, const char *head, const char *fmt, va_list ap)
{
	char text[KT_DIAG_MAX];
	int n = gmv_snprintf(text, sizeof(text), "%s", head);

	if (n < (int)sizeof(text))
		gmv_vsnprintf(text + n, sizeof(text) - n, fmt, ap);
	diag_lines(t->depth, text);
}

static void join(char *dst, const char *base, const char *name)
{
	if (base[0])
		gmv_snprintf(dst, KT_PATH_MAX, "%s.%s", base, name);
	else
		gmv_snprintf(dst, KT_PATH_MAX, "%s", name);
}

static bool selected(const struct kt_options *opt, const char *path)
{
	return !opt->filter || !opt->filter[0] ||
	       kt_glob_match(opt->filter, path);
}

/*
 * Number of selected cases below a suite (0 means the suite is hidden), or
 * with 'plan' the lines in the suite's own plan: its selected cases and its
 * visible children.
 */
static unsigned int count_selected(const struct kt_options *opt,
				   const struct kt_suite *s, const char *base,
				   bool plan)
{
	char path[KT_PATH_MAX], sub[KT_PATH_MAX];
	unsigned int n = 0;

	join(path, base, s->name);
	for (size_t i = 0; i < s->n_cases; i++) {
		join(sub, path, s->cases[i].name);
		n += selected(opt, sub);
	}
	for (size_t i = 0; i < s->n_children; i++) {
		unsigned int below =
			count_selected(opt, s->children[i], path, false);

		n += plan ? below != 0 : below;
	}
	return n;
}

void *kt_ctx(struct kt *t)
{
	return t->ctx;
}

const char *kt_case_name(struct kt *t)
{
	return t->c ? t->c->name : "";
}

/* Keep a reason that ends a result line on that one line. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n')
			*s = ' ';
}

bool kt_check(struct kt *t, bool ok, const char *file, int line,
	      const char *fmt, ...)
{
	char head[KT_PATH_MAX];
	va_list ap;

	t->checks++;
	if (ok)
		return true;
	t->failures++;
	gmv_snprintf(head, sizeof(head), "%s: %s:%d: ", kt_case_name(t), file,
		     line);
	va_start(ap, fmt);
	vdiag(t, head, fmt, ap);
	va_end(ap);
	return false;
}

void kt_skip(struct kt *t, const char *fmt, ...)
{
	va_list ap;

	t->skipped = true;
	va_start(ap, fmt);
	gmv_vsnprintf(t->skip_reason, sizeof(t->skip_reason), fmt, ap);
	va_end(ap);
	/* The reason ends the case's result line: keep it one line. */
	one_line(t->skip_reason);
}

void kt_verdict_get(struct kt *t, struct kt_verdict *v)
{
	*v = (struct kt_verdict){ .checks = t->checks,
				  .failures = t->failures,
				  .skipped = t->skipped };
	memcpy(v->skip_reason, t->skip_reason, sizeof(v->skip_reason));
}

void kt_verdict_set(struct kt *t, const struct kt_verdict *v)
{
	t->checks = v->checks;
	t->failures = v->failures;
	t->skipped = v->skipped;
	memcpy(t->skip_reason, v->skip_reason, sizeof(t->skip_reason));
	t->skip_reason[sizeof(t->skip_reason) - 1] = '\0';
	one_line(t->skip_reason);
}

void kt_fail_note(struct kt *t, const char *fmt, ...)
{
	va_list ap;

	t->checks++;
	t->failures++;
	va_start(ap, fmt);
	gmv_vsnprintf(t->fail_note, sizeof(t->fail_note), fmt, ap);
	va_end(ap);
	one_line(t->fail_note);
}

void kt_diag(struct kt *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(t, "", fmt, ap);
	va_end(ap);
}

/* Note the running case's failure (between cases: the running suite's)
 * in the record, while it fits; room for the summary and the "more" line
 * stays free. */
static void record_failure(struct kt *t, const char *note)
{
	struct kt_record *r = t->opt->record;
	char path[KT_PATH_MAX];
	size_t room;
	int n;

	if (!r)
		return;
	if (t->c)
		join(path, t->path, t->c->name);
	else
		gmv_snprintf(path, sizeof(path), "%s",
			     t->path[0] ? t->path : "(between suites)");
	room = sizeof(r->fails) - 128 - r->fails_len;
	if (r->fails_left_out || room > sizeof(r->fails)) {
		r->fails_left_out++;
		return;
	}
	n = gmv_snprintf(r->fails + r->fails_len, room, "not ok %s%s%s\n",
			 path, note[0] ? " # " : "", note);
	if (n < 0 || (size_t)n >= room) {
		r->fails[r->fails_len] = '\0';
		r->fails_left_out++;
		return;
	}
	r->fails_len += (size_t)n;
}

/* The summary line, on the console and at the head of the record. */
static void summary(struct kt *t)
{
	struct kt_record *r = t->opt->record;
	char line[96];
	int n;

	gmv_snprintf(line, sizeof(line), "%u passed, %u failed, %u skipped\n",
		     t->totals.passed, t->totals.failed, t->totals.skipped);
	kputs(line);
	if (!r)
		return;
	n = gmv_snprintf(r->text, sizeof(r->text), "%s%s", line, r->fails);
	if (r->fails_left_out && n >= 0 && (size_t)n < sizeof(r->text))
		gmv_snprintf(r->text + n, sizeof(r->text) - (size_t)n,
			     "# %u more failed cases\n", r->fails_left_out);
}

/* Runs one case; returns 1 for pass, 0 for skip, -1 for fail. */
static int run_case(struct kt *t, const struct kt_case *c, unsigned int nr)
{
	const char *why = c->unsupported ? c->unsupported(t) : NULL;
	int verdict;

	t->c = c;
	t->nr = nr;
	t->checks = t->failures = 0;
	t->skipped = false;
	t->skip_reason[0] = '\0';
	t->fail_note[0] = '\0';
	if (why)
		kt_skip(t, "%s", why);
	else if (t->opt->run)
		t->opt->run(t, c->run);
	else
		c->run(t);

	indent(t->depth);
	if (t->failures && t->fail_note[0]) {
		kprintf("not ok %u %s # %s\n", nr, c->name, t->fail_note);
		record_failure(t, t->fail_note);
		verdict = -1;
	} else if (t->failures) {
		kprintf("not ok %u %s\n", nr, c->name);
		record_failure(t, "");
		verdict = -1;
	} else if (t->skipped) {
		kprintf("ok %u %s # SKIP %s\n", nr, c->name, t->skip_reason);
		verdict = 0;
	} else if (!t->checks) {
		kprintf("not ok %u %s # made no checks\n", nr, c->name);
		record_failure(t, "made no checks");
		verdict = -1;
	} else {
		kprintf("ok %u %s\n", nr, c->name);
		verdict = 1;
	}
	t->c = NULL;
	return verdict;
}

static void list_suite(struct kt *t, const struct kt_suite *s)
{
	char path[KT_PATH_MAX], sub[KT_PATH_MAX];

	join(path, t->path, s->name);
	for (size_t i = 0; i < s->n_cases; i++) {
		join(sub, path, s->cases[i].name);
		if (selected(t->opt, sub)) {
			kprintf("%s\n", sub);
			t->totals.listed++;
		}
	}
	for (size_t i = 0; i < s->n_children; i++) {
		char saved[KT_PATH_MAX];

		memcpy(saved, t->path, sizeof(saved));
		memcpy(t->path, path, sizeof(path));
		list_suite(t, s->children[i]);
		memcpy(t->path, saved, sizeof(saved));
	}
}

/*
 * Runs a suite as a KTAP subtest at t->depth + 1 and prints its result line
 * at t->depth. Returns the suite's verdict like run_case().
 */
static int run_suite(struct kt *t, const struct kt_suite *s, unsigned int nr)
{
	char saved_path[KT_PATH_MAX], sub[KT_PATH_MAX];
	void *saved_ctx = t->ctx;
	const char *why;
	unsigned int n = 0;
	int fails = 0, passes = 0;

	memcpy(saved_path, t->path, sizeof(saved_path));
	join(sub, t->path, s->name);
	memcpy(t->path, sub, sizeof(sub));
	if (s->ctx)
		t->ctx = s->ctx;
	why = s->unsupported ? s->unsupported(t->ctx) : NULL;

	t->depth++;
	indent(t->depth);
	kputs("KTAP version 1\n");
	indent(t->depth);
	kprintf("# Subtest: %s\n", s->name);
	indent(t->depth);
	kprintf("1..%u\n", count_selected(t->opt, s, saved_path, true));
	if (s->intro)
		s->intro(t);
	for (size_t i = 0; i < s->n_cases; i++) {
		int v;

		join(sub, t->path, s->cases[i].name);
		if (!selected(t->opt, sub))
			continue;
		if (why) {
			indent(t->depth);
			kprintf("ok %u %s # SKIP %s\n", ++n, s->cases[i].name,
				why);
			v = 0;
		} else {
			v = run_case(t, &s->cases[i], ++n);
		}
		if (v > 0)
			t->totals.passed++, passes++;
		else if (v == 0)
			t->totals.skipped++;
		else
			t->totals.failed++, fails++;
	}
	for (size_t i = 0; i < s->n_children; i++) {
		int v;

		if (!count_selected(t->opt, s->children[i], t->path, false))
			continue;
		v = run_suite(t, s->children[i], ++n);
		if (v > 0)
			passes++;
		else if (v < 0)
			fails++;
	}
	t->depth--;

	indent(t->depth);
	if (fails)
		kprintf("not ok %u %s\n", nr, s->name);
	else if (!passes)
		kprintf("ok %u %s # SKIP %s\n", nr, s->name,
			why ? why : "every case skipped");
	else
		kprintf("ok %u %s\n", nr, s->name);

	memcpy(t->path, saved_path, sizeof(saved_path));
	t->ctx = saved_ctx;
	return fails ? -1 : passes ? 1 : 0;
}

/* Say why a run selected nothing, when a filter is the reason. */
static void no_match(const struct kt_options *opt)
{
	if (opt->filter && opt->filter[0])
		kprintf("# no test case matches filter \"%s\"\n", opt->filter);
}

struct kt_totals kt_run(const struct kt_suite *const *suites, size_t n,
			const struct kt_options *opt)
{
	static const struct kt_options all;
	struct kt t = { .opt = opt ? opt : &all };
	struct kt *outer;
	unsigned int nr = 0, plan = 0;

	if (t.opt->record) {
		t.opt->record->text[0] = t.opt->record->fails[0] = '\0';
		t.opt->record->fails_len = t.opt->record->fails_left_out = 0;
	}

	if (t.opt->list) {
		for (size_t i = 0; i < n; i++)
			list_suite(&t, suites[i]);
		if (!t.totals.listed)
			no_match(t.opt);
		return t.totals;
	}
	for (size_t i = 0; i < n; i++)
		plan += count_selected(t.opt, suites[i], "", false) != 0;
	kputs("KTAP version 1\n");
	kprintf("1..%u\n", plan);
	if (!plan)
		no_match(t.opt);
	outer = running;
	running = &t;
	for (size_t i = 0; i < n; i++)
		if (count_selected(t.opt, suites[i], "", false))
			run_suite(&t, suites[i], ++nr);
	running = outer;
	summary(&t);
	return t.totals;
}

bool kt_abort(const char *note)
{
	struct kt *t = running;

	if (!t)
		return false;
	running = NULL;
	indent(t->depth);
	if (t->c)
		kprintf("not ok %u %s # %s\n", t->nr, t->c->name, note);
	else
		kprintf("# %s\n", note);
	record_failure(t, note);
	t->totals.failed++;
	summary(t);
	return true;
}
