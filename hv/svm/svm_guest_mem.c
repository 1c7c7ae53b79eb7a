// SPDX-License-Identifier: MIT
/*
 * hv/svm/svm_guest_mem.c - reading guest memory the way the guest sees it, for
 * the exit handlers that must look at the guest's instruction bytes (QEMU
 * provides neither next_rip nor DecodeAssists). A guest-virtual address is
 * walked through the guest's own 4-level tables (CR3, 4 KiB, 2 MiB and
 * 1 GiB pages; Intel SDM vol. 3 §4.5, APM vol. 2 §5.3), and every
 * guest-physical address through the VM's NPT. Only memory the guest has
 * touched is mapped there, which is all an exit handler needs: the guest
 * just fetched the instruction and walked its tables to reach it.
 */
#include "hv/svm/svm.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define PTE_P BIT(0)
#define PTE_PS BIT(7)
#define PTE_ADDR 0x000ffffffffff000ULL

/* Copy what is mapped of [gpa, gpa + len) within one page. */
static int read_gpa(const struct svm_vm *s, u64 gpa, void *buf, size_t len)
{
	struct npt_xlate x;

	if (npt_lookup(&s->npt, gpa, &x))
		return -EFAULT;
	memcpy(buf, (const void *)x.hpa, len);
	return 0;
}

static int gva_to_gpa(const struct svm_vcpu *v, u64 gva, u64 *gpa)
{
	u64 table = v->vmcb->save.cr3 & PTE_ADDR;
	unsigned int shift = 39;

	/* Non-canonical addresses fault before any walk. */
	if ((u64)((s64)(gva << 16) >> 16) != gva)
		return -EFAULT;
	for (int level = 4; level >= 1; level--, shift -= 9) {
		u64 e;

		if (read_gpa(v->svm, table + ((gva >> shift) & 511) * 8, &e,
			     sizeof(e)))
			return -EFAULT;
		if (!(e & PTE_P))
			return -EFAULT;
		/* PS in a PDPTE (1 GiB) or a PDE (2 MiB) ends the walk. */
		if (level == 1 || ((level == 2 || level == 3) && (e & PTE_PS))) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = ((e & PTE_ADDR) & ~mask) | (gva & mask);
			return 0;
		}
		table = e & PTE_ADDR;
	}
	return -EFAULT;
}

/* Bytes of [gva, gva + len) readable before the first unmapped one. */
static size_t read_gva_prefix(struct svm_vcpu *v, u64 gva, u8 *buf,
			      size_t len)
{
	size_t done = 0;

	while (done < len) {
		u64 gpa;
		size_t chunk = MIN(len - done,
				   PAGE_SIZE - ((gva + done) & (PAGE_SIZE - 1)));

		if (gva_to_gpa(v, gva + done, &gpa) ||
		    read_gpa(v->svm, gpa, buf + done, chunk))
			break;
		done += chunk;
	}
	return done;
}

int svm_read_gva(struct svm_vcpu *v, u64 gva, void *buf, size_t len)
{
	return read_gva_prefix(v, gva, buf, len) == len ? 0 : -EFAULT;
}

int svm_fetch_insn(struct svm_vcpu *v, struct insn *in, u8 *bytes,
		   size_t *n)
{
	*n = read_gva_prefix(v, v->vmcb->save.rip, bytes, INSN_MAX_LEN);
	if (!*n)
		return -EFAULT;
	return insn_decode(bytes, *n, in);
}
