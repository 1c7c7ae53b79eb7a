// SPDX-License-Identifier: MIT
/* boot/options.c - the payload's command line (see boot/options.h). */
#include "boot/options.h"
#include "boot/console.h"
#include "lib/errno.h"
#include "lib/mem.h"

void options_init(struct boot_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->pool_limit = OPT_POOL_DEFAULT;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Does the word [w, w + len) start with prefix? */
static bool has_prefix(const char *w, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(w, prefix, n);
}

/* "64M" and friends; overflow is an error. */
static int parse_size(const char *s, size_t len, u64 *out)
{
	u64 v = 0;
	size_t i = 0;
	unsigned int shift = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (u64)(s[i] - '0');
	}
	if (i == 0)
		return -EINVAL;
	if (i + 1 == len) {
		switch (s[i] | 0x20) {
		case 'k':
			shift = 10;
			break;
		case 'm':
			shift = 20;
			break;
		case 'g':
			shift = 30;
			break;
		default:
			return -EINVAL;
		}
	} else if (i != len) {
		return -EINVAL;
	}
	if (v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

static int parse_word(struct boot_options *opt, const char *w, size_t len)
{
	if (len == 4 && !memcmp(w, "list", 4)) {
		opt->list = true;
		return 0;
	}
	if (has_prefix(w, len, "filter=")) {
		len -= 7;
		if (len >= sizeof(opt->filter))
			return -EINVAL;
		memcpy(opt->filter, w + 7, len);
		opt->filter[len] = '\0';
		return 0;
	}
	if (has_prefix(w, len, "pool=")) {
		u64 size;
		int ret = parse_size(w + 5, len - 5, &size);

		if (ret)
			return ret;
		if (size < OPT_POOL_MIN)
			return -ERANGE;
		opt->pool_limit = size;
		return 0;
	}
	if (has_prefix(w, len, "deadline=")) {
		u64 secs = 0;

		if (len == 9)
			return -EINVAL;
		for (size_t i = 9; i < len; i++) {
			if (w[i] < '0' || w[i] > '9')
				return -EINVAL;
			secs = secs * 10 + (u64)(w[i] - '0');
			if (secs > OPT_DEADLINE_MAX)
				return -EINVAL;
		}
		if (!secs)
			return -EINVAL;
		opt->deadline = secs;
		return 0;
	}
	if (len == 13 && !memcmp(w, "machine=bochs", 13)) {
		opt->bochs = true;
		return 0;
	}
	if (len == 7 && !memcmp(w, "bench=1", 7)) {
		opt->bench = true;
		return 0;
	}
	if (has_prefix(w, len, "end=")) {
		static const char *const names[] = {
			[END_SHUTDOWN] = "shutdown",
			[END_REBOOT] = "reboot",
			[END_HALT] = "halt",
		};

		for (size_t i = END_SHUTDOWN; i < ARRAY_SIZE(names); i++) {
			if (len - 4 == strlen(names[i]) &&
			    !memcmp(w + 4, names[i], len - 4)) {
				opt->end = (enum end_action)i;
				return 0;
			}
		}
		return -EINVAL;
	}
	if (has_prefix(w, len, "console="))
		return console_parse(&opt->console, w + 8, len - 8);
	return -EINVAL;
}

int options_parse(struct boot_options *opt, const char *text, const char **bad)
{
	struct boot_options next = *opt;
	const char *p = text;

	while (*p) {
		const char *w;

		while (is_space(*p))
			p++;
		if (!*p)
			break;
		w = p;
		while (*p && !is_space(*p))
			p++;
		int ret = parse_word(&next, w, (size_t)(p - w));

		if (ret) {
			if (bad)
				*bad = w;
			return ret;
		}
	}
	*opt = next;
	return 0;
}

/* The shell passes the program's own name (as typed) as the first word;
 * that word is neither "list" nor a key=value option. */
static bool names_program(const char *w, size_t len)
{
	if (len == 4 && !memcmp(w, "list", 4))
		return false;
	for (size_t i = 0; i < len; i++)
		if (w[i] == '=')
			return false;
	return true;
}

int options_from_ucs2(char *out, size_t n, const u16 *in, size_t bytes)
{
	size_t chars = bytes / 2, len = 0, start, end;

	if (!n)
		return -E2BIG;
	out[0] = '\0';
	if (bytes & 1)
		return 0;
	/* Text only: printable ASCII up to an optional terminating NUL. */
	while (len < chars && in[len]) {
		if (in[len] < 0x20 || in[len] > 0x7e)
			return 0;
		len++;
	}
	if (len >= n)
		return -E2BIG;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)in[i];
	out[len] = '\0';

	for (start = 0; out[start] == ' '; start++)
		;
	for (end = start; out[end] && out[end] != ' '; end++)
		;
	if (end > start && names_program(out + start, end - start))
		memmove(out, out + end, len - end + 1);
	return 0;
}

int options_from_file(char *out, size_t n, const char *in, size_t bytes)
{
	bool comment = false, gap = false;
	size_t len = 0;

	if (!n)
		return -E2BIG;
	out[0] = '\0';
	for (size_t i = 0; i < bytes; i++) {
		char c = in[i];

		if (c == '\n' || c == '\r') {
			comment = false;
			gap = true;
			continue;
		}
		if (c != '\t' && (c < 0x20 || c > 0x7e)) {
			out[0] = '\0';
			return -EINVAL;
		}
		if (c == '#')
			comment = true;
		if (comment)
			continue;
		if (c == ' ' || c == '\t') {
			gap = true;
			continue;
		}
		/* One space between words, none at either end. */
		if (len + 1 + (gap && len) >= n) {
			out[0] = '\0';
			return -E2BIG;
		}
		if (gap && len)
			out[len++] = ' ';
		gap = false;
		out[len++] = c;
	}
	out[len] = '\0';
	return 0;
}
