// SPDX-License-Identifier: MIT
/*
 * guest-tests/lib/snp.c - the SEV-SNP guest runtime (guest-tests/lib/
 * snp.h): the C-bit and the private alias of the identity map, the GHCB
 * MSR protocol and the GHCB page.
 */
#include "guest-tests/lib/snp.h"
#include "guest-tests/lib/catch.h"
#include "guest-tests/lib/guest.h"
#include "lib/fmt.h"
#include "lib/mem.h"

unsigned int snp_init(void)
{
	u64 resp;
	unsigned int c_bit;

	_Static_assert(SNP_PRIVATE_BASE >= GUEST_MAP_LIMIT,
		       "the alias lies above the identity map");
	guest_exceptions_init();
	/* SEV_STATUS bit 2: SNP is active. */
	GUEST_ASSERT(snp_rdmsr(SNP_MSR_SEV_STATUS) & BIT(2));
	resp = snp_msr_protocol(SNP_MSR_SEV_INFO_REQ);
	GUEST_ASSERT_EQ(resp & SNP_MSR_INFO_MASK, SNP_MSR_SEV_INFO_RESP);
	/* SNP needs GHCB protocol version 2 (GHCB spec, "SEV Information"). */
	GUEST_ASSERT(resp >> 48 >= 2);
	c_bit = (resp >> 24) & 0x3f;
	GUEST_ASSERT(c_bit >= 32 && c_bit < 52);
	guest_map_alias(SNP_PRIVATE_BASE, 0, BIT(c_bit));
	return c_bit;
}

/* ---- the GHCB MSR protocol ---- */

u64 snp_msr_protocol(u64 req)
{
	snp_wrmsr(SNP_MSR_GHCB, req);
	snp_vmgexit();
	return snp_rdmsr(SNP_MSR_GHCB);
}

u64 snp_psc_msr(u64 gpa, bool to_private)
{
	u64 op = to_private ? SNP_PSC_PRIVATE : SNP_PSC_SHARED;
	u64 resp = snp_msr_protocol((gpa & 0x000ffffffffff000ULL) | op << 52 |
				    SNP_MSR_PSC_REQ);

	if ((resp & SNP_MSR_INFO_MASK) != SNP_MSR_PSC_RESP)
		return ~0ULL;
	return resp >> 32;
}

/* ---- the GHCB page ---- */

static u8 ghcb_page[4096] __attribute__((aligned(4096)));

u8 *snp_ghcb(void)
{
	return ghcb_page;
}

u64 snp_ghcb_register(void)
{
	u64 gpa = (u64)ghcb_page;
	u64 resp = snp_msr_protocol(gpa | SNP_MSR_REG_GPA_REQ);

	if ((resp & SNP_MSR_INFO_MASK) != SNP_MSR_REG_GPA_RESP)
		return 0;
	return resp & ~SNP_MSR_INFO_MASK;
}

static void ghcb_set(unsigned int off, u64 val)
{
	*(volatile u64 *)(ghcb_page + off) = val;
	ghcb_page[GHCB_OFF_VALID_BITMAP + off / 64] |= BIT(off / 8 % 8);
}

static u64 ghcb_get(unsigned int off)
{
	return *(volatile u64 *)(ghcb_page + off);
}

u64 snp_ghcb_call(u64 exit_code, u64 info1, u64 info2, u64 scratch,
		  u64 *info2_out)
{
	memset(ghcb_page + GHCB_OFF_VALID_BITMAP, 0, 16);
	ghcb_set(GHCB_OFF_SW_EXIT_CODE, exit_code);
	ghcb_set(GHCB_OFF_SW_EXIT_INFO1, info1);
	ghcb_set(GHCB_OFF_SW_EXIT_INFO2, info2);
	ghcb_set(GHCB_OFF_SW_SCRATCH, scratch);
	*(volatile u16 *)(ghcb_page + GHCB_OFF_PROTOCOL_VERSION) = 2;
	*(volatile u32 *)(ghcb_page + GHCB_OFF_USAGE) = 0;
	snp_wrmsr(SNP_MSR_GHCB, (u64)ghcb_page);
	snp_vmgexit();
	*info2_out = ghcb_get(GHCB_OFF_SW_EXIT_INFO2);
	return ghcb_get(GHCB_OFF_SW_EXIT_INFO1);
}

u64 snp_psc_ghcb(struct snp_psc_desc *desc, u64 *info1, u64 *calls)
{
	struct snp_psc_desc *buf =
		(struct snp_psc_desc *)(ghcb_page + GHCB_OFF_SHARED_BUFFER);
	u16 end = desc->end_entry;
	u64 info2;

	_Static_assert(sizeof(*buf) <= GHCB_SHARED_BUFFER_SIZE,
		       "a descriptor fits the shared buffer");
	memcpy(buf, desc, sizeof(*buf));
	*info1 = 0;
	*calls = 0;
	while (buf->cur_entry <= buf->end_entry) {
		u16 before = buf->cur_entry;

		(*calls)++;
		*info1 = snp_ghcb_call(GHCB_NAE_PSC, 0, 0, (u64)buf, &info2);
		if (*info1 || info2) {
			memcpy(desc, buf, sizeof(*buf));
			return info2 ? info2 : ~0ULL;
		}
		/* Linux's vmgexit_psc(): the hypervisor must not move back
		 * or change the end. */
		if (buf->cur_entry < before || buf->end_entry != end) {
			memcpy(desc, buf, sizeof(*buf));
			return ~0ULL;
		}
	}
	memcpy(desc, buf, sizeof(*buf));
	return 0;
}

u64 psc(u64 gpa, u64 npages, bool to_private)
{
	static struct snp_psc_desc d;
	static bool registered;
	unsigned int op = to_private ? SNP_PSC_PRIVATE : SNP_PSC_SHARED;
	u64 info1, calls, r;

	/* An SNP guest registers its GHCB before the first use. */
	if (!registered) {
		GUEST_ASSERT_EQ(snp_ghcb_register(), (u64)ghcb_page);
		registered = true;
	}
	while (npages) {
		unsigned int n = 0;

		memset(&d, 0, sizeof(d));
		while (npages && n < SNP_PSC_MAX_ENTRIES) {
			bool big = IS_ALIGNED(gpa, SZ_2M) && npages >= 512;

			d.entries[n++] = snp_psc_entry(gpa, op, big);
			gpa += big ? SZ_2M : PAGE_SIZE;
			npages -= big ? 512 : 1;
		}
		d.end_entry = n - 1;
		r = snp_psc_ghcb(&d, &info1, &calls);
		if (r)
			return r;
	}
	return 0;
}
