// SPDX-License-Identifier: MIT
/*
 * tools/fuzzdiff/diff_run.c - compare one trace on two backends, and
 * minimize a failing one (see diff_run.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/fuzzdiff/diff_run.h"

struct results {
	char (*s)[RESULT_MAX];
	size_t n;
	struct vmm *check; /* native: run its checker after each op */
	bool broken;
	size_t broken_at;
};

static void keep(void *arg, const struct trace_op *op, const char *text)
{
	struct results *r = arg;

	strncpy(r->s[r->n], text, RESULT_MAX - 1);
	r->s[r->n][RESULT_MAX - 1] = '\0';
	r->n++;
}

static void after(void *arg, const struct trace_op *op)
{
	struct results *r = arg;

	if (r->check && !r->broken && r->check->ops->check(r->check)) {
		r->broken = true;
		r->broken_at = r->n - 1;
	}
}

static bool is_ok(const char *result)
{
	const char *sp = strchr(result, ' ');

	return sp && !strncmp(sp + 1, "ok", 2);
}

static bool is_over_bound(const char *result)
{
	const char *sp = strchr(result, ' ');

	return sp && !strcmp(sp + 1, "err OVER_BOUND");
}

int diff_run(struct differ *d, const struct trace *t, struct outcome *o)
{
	struct results nat = {.check = d->native}, lin = {0};
	struct trace_hooks hn = {.emit = keep, .after_op = after, .arg = &nat};
	struct trace_hooks hl = {.emit = keep, .arg = &lin};
	size_t n = t->n_ops ? t->n_ops : 1;
	int ret = -ENOMEM;

	memset(o, 0, sizeof(*o));
	nat.s = malloc(n * sizeof(*nat.s));
	lin.s = malloc(n * sizeof(*lin.s));
	if (!nat.s || !lin.s)
		goto out;
	if (trace_run(t, d->native, &hn) || trace_run(t, d->other, &hl))
		goto out;
	/* The checker once more after the final reset (index n: no op). */
	if (!nat.broken && d->native->ops->check(d->native)) {
		nat.broken = true;
		nat.broken_at = t->n_ops;
	}
	d->runs++;
	ret = 0;
	for (size_t i = 0; i < nat.n && i < lin.n; i++) {
		const struct trace_op *op = &t->ops[i];
		const struct rule *r;

		if (nat.broken && nat.broken_at == i)
			break;
		/* The linux backend refused to ask the kernel (its bound on
		 * per-page state): nothing to compare from here on. */
		if (is_over_bound(lin.s[i])) {
			o->bounded = true;
			break;
		}
		o->compared++;
		if (!strcmp(nat.s[i], lin.s[i]))
			continue;
		r = rules_match(d->rules, op, nat.s[i], lin.s[i]);
		if (!r) {
			o->verdict = V_DIVERGES;
			o->at = i;
			o->op = *op;
			strcpy(o->nat, nat.s[i]);
			strcpy(o->lin, lin.s[i]);
			goto out;
		}
		((struct rule *)r)->hits++;
		o->explained++;
		if (!o->rule)
			o->rule = r;
		if (is_ok(nat.s[i]) != is_ok(lin.s[i]))
			goto out;
	}
	if (nat.broken) {
		o->verdict = V_INVARIANT;
		o->at = nat.broken_at;
		if (nat.broken_at < t->n_ops) {
			o->op = t->ops[nat.broken_at];
			o->compared++;
		}
		strcpy(o->nat, "invariant check failed");
		o->lin[0] = '\0';
	}
out:
	free(nat.s);
	free(lin.s);
	return ret;
}

bool same_failure(const struct outcome *a, const struct outcome *b)
{
	return a->verdict == b->verdict && a->op.code == b->op.code &&
	       !strcmp(a->nat, b->nat) && !strcmp(a->lin, b->lin);
}

struct shrink {
	struct differ *d;
	const struct outcome *want;
	unsigned long runs, max_runs;
};

/*
 * Whether t, cut to the bounds (gen_bound(): a smaller number can make a
 * refused range a valid one), still fails as wanted; if so t becomes the
 * bounded copy.
 */
static bool still_fails(struct shrink *s, struct trace *t)
{
	struct trace b = {.ops = malloc(t->n_ops * sizeof(*t->ops)),
			  .n_ops = t->n_ops};
	struct outcome o;
	bool fails;

	if (s->runs >= s->max_runs || !b.ops) {
		free(b.ops);
		return false;
	}
	memcpy(b.ops, t->ops, t->n_ops * sizeof(*t->ops));
	gen_bound(s->d->caps, &b);
	s->runs++;
	fails = !diff_run(s->d, &b, &o) && same_failure(&o, s->want);
	if (fails) {
		memcpy(t->ops, b.ops, b.n_ops * sizeof(*t->ops));
		t->n_ops = b.n_ops;
	}
	free(b.ops);
	return fails;
}

/* ddmin over the ops: drop chunks of n/2, n/4, ... ops while it fails. */
static void drop_ops(struct shrink *s, struct trace *t)
{
	struct trace cand = {.ops = malloc(t->n_ops * sizeof(*t->ops))};
	size_t parts = 2;

	if (!cand.ops)
		return;
	while (t->n_ops >= 2 && s->runs < s->max_runs) {
		size_t chunk = (t->n_ops + parts - 1) / parts;
		bool dropped = false;

		for (size_t start = 0; start < t->n_ops; start += chunk) {
			size_t end = MIN(start + chunk, t->n_ops);

			memcpy(cand.ops, t->ops, start * sizeof(*t->ops));
			memcpy(cand.ops + start, t->ops + end,
			       (t->n_ops - end) * sizeof(*t->ops));
			cand.n_ops = t->n_ops - (end - start);
			if (cand.n_ops && still_fails(s, &cand)) {
				memcpy(t->ops, cand.ops,
				       cand.n_ops * sizeof(*t->ops));
				t->n_ops = cand.n_ops;
				parts = MAX(parts - 1, 2);
				dropped = true;
				break;
			}
		}
		if (dropped)
			continue;
		if (parts >= t->n_ops)
			break;
		parts = MIN(parts * 2, t->n_ops);
	}
	free(cand.ops);
}

/* Smaller numbers, and optional keys left out, while it fails. */
static bool shrink_numbers(struct shrink *s, struct trace *t)
{
	bool changed = false;

	for (size_t i = 0; i < t->n_ops; i++) {
		for (int k = 0; k < TK_NR_KEYS; k++) {
			struct trace_op *op, keep;
			u64 v;

			if (i >= t->n_ops)
				return changed;
			op = &t->ops[i];
			keep = *op;
			v = op->val[k];
			const u64 cand[] = {0,
					    1,
					    0x1000,
					    0x200000,
					    v / 2 & ~0xfffULL,
					    v - 0x1000,
					    v / 2};

			if (!(op->given & BIT(k)) || k == TK_TYPE)
				continue;
			for (size_t c = 0; c < ARRAY_SIZE(cand); c++) {
				if (cand[c] >= v)
					continue;
				op->val[k] = cand[c];
				if (still_fails(s, t)) {
					changed = true;
					break;
				}
				*op = keep;
			}
		}
	}
	return changed;
}

unsigned long diff_minimize(struct differ *d, struct trace *t,
			    const struct outcome *want, unsigned long max_runs)
{
	struct shrink s = {.d = d, .want = want, .max_runs = max_runs};
	size_t before;

	do {
		before = t->n_ops;
		drop_ops(&s, t);
	} while (shrink_numbers(&s, t) || t->n_ops < before);
	for (size_t i = 0; i < t->n_ops; i++)
		t->ops[i].line = i + 1;
	return s.runs;
}
