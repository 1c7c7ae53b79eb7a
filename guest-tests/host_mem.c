// SPDX-License-Identifier: MIT
/*
 * guest-tests/host_mem.c - host-side pattern fills and checks (see
 * host_mem.h).
 */
#include "guest-tests/host_mem.h"

static int access_page(struct vmm *v, struct mem_range r, u64 at, void *buf,
		       size_t n, bool write)
{
	if (r.by_gpa)
		return write ? v->ops->guest_write(v, r.handle, r.gpa + at,
						   buf, n) :
			       v->ops->guest_read(v, r.handle, r.gpa + at,
						  buf, n);
	return write ? v->ops->host_write(v, r.handle, r.offset + at, buf, n) :
		       v->ops->host_read(v, r.handle, r.offset + at, buf, n);
}

int mem_fill(struct vmm *v, struct mem_range r, u64 seed)
{
	u64 page[PAGE_SIZE / 8];

	for (u64 at = 0; at < r.len; at += sizeof(page)) {
		size_t n = MIN(r.len - at, sizeof(page));
		int ret;

		/* A tail shorter than a word takes the word's leading bytes. */
		for (size_t i = 0; i < DIV_ROUND_UP(n, 8); i++)
			page[i] = pattern_word(seed, r.gpa + at + 8 * i);
		ret = access_page(v, r, at, page, n, true);
		if (ret)
			return ret;
	}
	return 0;
}

struct mem_check mem_check(struct vmm *v, struct mem_range r, u64 seed)
{
	struct mem_check c = { .match = true };
	u64 page[PAGE_SIZE / 8];

	for (u64 at = 0; at < r.len; at += sizeof(page)) {
		size_t n = MIN(r.len - at, sizeof(page)), i;

		c.gpa = r.gpa + at;
		c.err = access_page(v, r, at, page, n, false);
		if (c.err)
			return c;
		i = pattern_mismatch(page, n, r.gpa + at, seed);
		if (i < n / 8) {
			c.match = false;
			c.gpa = r.gpa + at + 8 * i;
			c.got = page[i];
			c.want = pattern_word(seed, c.gpa);
			return c;
		}
	}
	return c;
}
