// SPDX-License-Identifier: MIT
/*
 * tools/fuzzdiff/rules.c - the fuzz allow-list (see rules.h). One entry
 * per line:
 *
 *   <op> [<cond> ...] native '<result>' linux '<result>' <reason>
 *
 * where a cond is KEY<cmp>NUMBER or KEY+KEY<cmp>NUMBER, cmp one of
 * = != < <= > >=, compared unsigned (a sum exactly, without wrapping);
 * a key the op line did not give counts as 0 (write/read len as 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/fuzzdiff/rules.h"

static const char *skip_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static size_t token_len(const char *p)
{
	size_t n = 0;

	while (p[n] && p[n] != ' ' && p[n] != '\t')
		n++;
	return n;
}

/* "KEY[+KEY]<cmp>NUMBER" in s[0..n). */
static bool parse_cond(const char *s, size_t n, struct rule_cond *c)
{
	size_t i = 0, k1, k2 = 0, klen;
	const char *key2 = NULL;

	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
		i++;
	k1 = i;
	if (i < n && s[i] == '+') {
		key2 = s + ++i;
		while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			i++;
		k2 = s + i - key2;
	}
	c->key = trace_key_lookup(s, k1);
	c->key2 = key2 ? trace_key_lookup(key2, k2) : -1;
	if (c->key < 0 || (key2 && c->key2 < 0) || i >= n)
		return false;
	klen = 1;
	switch (s[i]) {
	case '=':
		c->cmp = '=';
		break;
	case '!':
		c->cmp = '!';
		klen = 2;
		if (i + 1 >= n || s[i + 1] != '=')
			return false;
		break;
	case '<':
	case '>':
		c->cmp = s[i];
		if (i + 1 < n && s[i + 1] == '=') {
			c->cmp = s[i] == '<' ? 'l' : 'g';
			klen = 2;
		}
		break;
	default:
		return false;
	}
	i += klen;
	return trace_parse_number(s + i, n - i, &c->value);
}

/* "<word> '<result>'" at *p into out; moves *p past it. */
static bool quoted(const char **p, const char *word, char *out, size_t size)
{
	size_t n = strlen(word);
	const char *s = skip_blank(*p), *end;

	if (strncmp(s, word, n) || (s[n] != ' ' && s[n] != '\t'))
		return false;
	s = skip_blank(s + n);
	if (*s != '\'')
		return false;
	end = strchr(s + 1, '\'');
	if (!end || end == s + 1 || (size_t)(end - s - 1) >= size)
		return false;
	memcpy(out, s + 1, end - s - 1);
	out[end - s - 1] = '\0';
	*p = end + 1;
	return true;
}

static bool parse_rule(const char *line, struct rule *r)
{
	const char *p = skip_blank(line);
	size_t n = token_len(p);
	int code = trace_op_lookup(p, n);

	if (code < 0)
		return false;
	r->code = code;
	p = skip_blank(p + n);
	while (*p && strncmp(p, "native", 6)) {
		n = token_len(p);
		if (r->n_cond == ARRAY_SIZE(r->cond) ||
		    !parse_cond(p, n, &r->cond[r->n_cond++]))
			return false;
		p = skip_blank(p + n);
	}
	if (!quoted(&p, "native", r->nat, sizeof(r->nat)) ||
	    (*p != ' ' && *p != '\t') ||
	    !quoted(&p, "linux", r->lin, sizeof(r->lin)) ||
	    (*p != ' ' && *p != '\t'))
		return false;
	p = skip_blank(p);
	if (!*p || strlen(p) >= sizeof(r->reason))
		return false;
	strcpy(r->reason, p);
	return true;
}

int rules_parse(const char *text, size_t len, const char *name,
		struct rules *rs, char *err, size_t err_size)
{
	size_t pos = 0;
	unsigned int at = 0;

	rs->r = NULL;
	rs->n = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text - pos) : len - pos;
		char line[512];
		struct rule r = {.at = ++at};
		struct rule *grown;
		const char *s;

		if (n >= sizeof(line)) {
			snprintf(err, err_size, "%s:%u: line too long", name,
				 at);
			goto fail;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		while (n && strchr(" \t\r", line[n - 1]))
			line[--n] = '\0';
		s = skip_blank(line);
		if (*s == '#' || !*s)
			continue;
		if (!parse_rule(s, &r)) {
			snprintf(err, err_size,
				 "%s:%u: not an entry \"<op> [KEY<cmp>N ...] "
				 "native '<result>' linux '<result>' "
				 "<reason>\"",
				 name, at);
			goto fail;
		}
		grown = realloc(rs->r, (rs->n + 1) * sizeof(*grown));
		if (!grown) {
			snprintf(err, err_size, "%s: out of memory", name);
			goto fail;
		}
		rs->r = grown;
		rs->r[rs->n++] = r;
	}
	return 0;
fail:
	rules_free(rs);
	return -1;
}

void rules_free(struct rules *rs)
{
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
}

static bool holds(const struct rule_cond *c, const struct trace_op *op)
{
	unsigned __int128 v = op->val[c->key];

	if (c->key2 >= 0)
		v += op->val[c->key2];
	switch (c->cmp) {
	case '=':
		return v == c->value;
	case '!':
		return v != c->value;
	case '<':
		return v < c->value;
	case 'l':
		return v <= c->value;
	case '>':
		return v > c->value;
	default:
		return v >= c->value;
	}
}

struct rule *rules_match(struct rules *rs, const struct trace_op *op,
			 const char *nat, const char *lin)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct rule *r = &rs->r[i];
		unsigned int k = 0;

		if (r->code != op->code || strcmp(r->nat, nat) ||
		    strcmp(r->lin, lin))
			continue;
		while (k < r->n_cond && holds(&r->cond[k], op))
			k++;
		if (k == r->n_cond)
			return r;
	}
	return NULL;
}
