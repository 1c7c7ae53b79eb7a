// SPDX-License-Identifier: MIT
/* lib/fmt.c - the formatter declared in lib/fmt.h. */
#include "lib/fmt.h"

struct out {
	char *buf;
	size_t cap;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width,
		       bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left)
		while (fill-- > 0)
			put(o, pad);
	while (n--)
		put(o, *s++);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

static void put_number(struct out *o, u64 v, bool neg, unsigned int base,
		       bool upper, int width, bool left, bool zero,
		       const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = 0, fill;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		prefix = "-";
	while (prefix && prefix[plen])
		plen++;
	fill = width - n - plen;
	if (!left && !zero)
		for (; fill > 0; fill--)
			put(o, ' ');
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!left && zero)
		for (; fill > 0; fill--)
			put(o, '0');
	while (n)
		put(o, tmp[--n]);
	if (left)
		for (; fill > 0; fill--)
			put(o, ' ');
}

int gmv_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .cap = n, .len = 0 };

	for (; *fmt; fmt++) {
		bool left = false, zero = false, alt = false;
		int width = 0, prec = -1, lng = 0;
		unsigned int base = 10;
		bool is_signed = false, upper = false;
		u64 v;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero = true;
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		for (;; fmt++) {
			if (*fmt == 'l' || *fmt == 'z' || *fmt == 'j')
				lng = 2;
			else if (*fmt != 'h')
				break;
		}
		switch (*fmt) {
		case '\0':
			fmt--;
			continue;
		case '%':
			put(&o, '%');
			continue;
		case 'c': {
			char c = (char)va_arg(ap, int);

			put_padded(&o, &c, 1, width, left, ' ');
			continue;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t len = 0;

			if (!s)
				s = "(null)";
			while (s[len] && (prec < 0 || (int)len < prec))
				len++;
			put_padded(&o, s, len, width, left, ' ');
			continue;
		}
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			put_number(&o, v, false, 16, false, width, left, zero,
				   "0x");
			continue;
		case 'd':
		case 'i':
			is_signed = true;
			break;
		case 'u':
			break;
		case 'X':
			upper = true;
			base = 16;
			break;
		case 'x':
			base = 16;
			break;
		case 'o':
			base = 8;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			continue;
		}
		if (is_signed) {
			s64 sv = lng ? va_arg(ap, s64) : va_arg(ap, int);

			put_number(&o, sv < 0 ? -(u64)sv : (u64)sv, sv < 0, 10,
				   false, width, left, zero, NULL);
			continue;
		}
		v = lng ? va_arg(ap, u64) : va_arg(ap, unsigned int);
		put_number(&o, v, false, base, upper, width, left, zero,
			   alt && base == 16 ? (upper ? "0X" : "0x") :
			   alt && base == 8  ? "0" : NULL);
	}
	if (n)
		o.buf[o.len < n ? o.len : n - 1] = '\0';
	return (int)o.len;
}

int gmv_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = gmv_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}
