// SPDX-License-Identifier: MIT
/*
 * hv/x86/guest_walk.c - the guest's page walk (hv/x86/guest_walk.h): a
 * guest-virtual address through the tables at CR3 to a guest-physical
 * one, read where the VM's second-level table maps it.
 */
#include "hv/x86/guest_walk.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define PTE_P BIT(0)
#define PTE_PS BIT(7)
#define PTE_ADDR 0x000ffffffffff000ULL

/* Where the table maps gpa: 0 with *hpa, or -EFAULT. */
static int hpa_of(const struct guest_mem *m, u64 gpa, phys_addr_t *hpa)
{
	struct arch_xlate x;

	if (m->lookup(m->vm, gpa, &x))
		return -EFAULT;
	*hpa = x.hpa;
	return 0;
}

int guest_translate(const struct guest_mem *m, u64 gva, u64 *gpa)
{
	u64 table = m->cr3 & PTE_ADDR;
	unsigned int shift = 39;

	/* Non-canonical addresses fault before any walk. */
	if ((u64)((s64)(gva << 16) >> 16) != gva)
		return -EFAULT;
	for (int level = 4; level >= 1; level--, shift -= 9) {
		phys_addr_t p;
		u64 e;

		/* An entry is one aligned u64 of a table page. */
		if (hpa_of(m, table + ((gva >> shift) & 511) * 8, &p))
			return -EFAULT;
		e = *(const u64 *)p;
		if (!(e & PTE_P))
			return -EFAULT;
		/* PS in a PDPTE (1 GiB) or a PDE (2 MiB) ends the walk. */
		if (level == 1 ||
		    ((level == 2 || level == 3) && (e & PTE_PS))) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = ((e & PTE_ADDR) & ~mask) | (gva & mask);
			return 0;
		}
		table = e & PTE_ADDR;
	}
	return -EFAULT;
}

/* Bytes of [gva, gva + len) readable before the first unreadable one. */
static size_t read_gva_prefix(const struct guest_mem *m, u64 gva, u8 *buf,
			      size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t chunk = MIN(len - done, PAGE_SIZE - ((gva + done) &
							    (PAGE_SIZE - 1)));
		phys_addr_t p;
		u64 gpa;

		if (guest_translate(m, gva + done, &gpa) || hpa_of(m, gpa, &p))
			break;
		memcpy(buf + done, (const void *)p, chunk);
		done += chunk;
	}
	return done;
}

int guest_read_gva(const struct guest_mem *m, u64 gva, void *buf, size_t len)
{
	return read_gva_prefix(m, gva, buf, len) == len ? 0 : -EFAULT;
}

int guest_write_gva(const struct guest_mem *m, u64 gva, const void *buf,
		    size_t len)
{
	const u8 *src = buf;
	size_t done = 0;

	while (done < len) {
		size_t chunk = MIN(len - done, PAGE_SIZE - ((gva + done) &
							    (PAGE_SIZE - 1)));
		struct arch_xlate x;
		u64 gpa;

		if (guest_translate(m, gva + done, &gpa) ||
		    m->lookup(m->vm, gpa, &x) || !x.writable)
			return -EFAULT;
		memcpy((void *)x.hpa, src + done, chunk);
		done += chunk;
	}
	return 0;
}

int guest_fetch_insn(const struct guest_mem *m, u64 rip, struct insn *in,
		     size_t *n)
{
	u8 bytes[INSN_MAX_LEN];

	*n = read_gva_prefix(m, rip, bytes, INSN_MAX_LEN);
	if (!*n)
		return -EFAULT;
	return insn_decode(bytes, *n, in);
}
