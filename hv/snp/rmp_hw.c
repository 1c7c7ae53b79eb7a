// SPDX-License-Identifier: MIT
/*
 * hv/snp/rmp_hw.c - the hardware RMP (hv/snp/rmp.h) on a machine whose
 * firmware enabled SEV-SNP: RMPUPDATE, PSMASH and RMPREAD executed for
 * real, byte-encoded so no assembler support is needed (APM vol. 3:
 * RMPUPDATE F2 0F 01 FE, PSMASH F3 0F 01 FF, RMPREAD F2 0F 01 FD; the same
 * bytes as Linux arch/x86/virt/svm/sev.c). The table is the firmware's:
 * RMP_BASE/RMP_END (MSRs C001_0132/C001_0133) bound it, its first 16 KiB
 * are the CPU's, then one 16-byte entry per 4 KiB page from address 0
 * (APM vol. 2 §15.36.4). Selected only where CPUID Fn8000_001F EAX[4]
 * (SEV-SNP) is set and SYSCFG (C001_0010) bit 24 SNP_EN says firmware
 * turned it on; a segmented RMP (RMP_CFG bit 0, §15.36.22) is not
 * handled yet and is reported as the reason. Payload only.
 */
#include "hv/snp/rmp.h"
#include "hv/x86/cpu.h"
#include "lib/mem.h"

#define CPUID_SEV 0x8000001fu
#define CPUID_SEV_EAX_SNP BIT(4)
#define CPUID_SEV_EAX_RMPREAD BIT(21)
#define CPUID_SEV_EAX_SEGMENTED_RMP BIT(23)
#define MSR_SYSCFG 0xc0010010u
#define SYSCFG_SNP_EN BIT(24)
#define MSR_RMP_BASE 0xc0010132u
#define MSR_RMP_END 0xc0010133u
#define MSR_RMP_CFG 0xc0010136u
#define RMP_CFG_SEGMENTED BIT(0)
/* RMP_BASE and RMP_END + 1 are 8 KiB aligned, bits 51:13. */
#define RMP_ADDR_MASK (((1ULL << 52) - 1) & ~((1ULL << 13) - 1))
#define RMP_BOOKKEEPING 0x4000ULL
#define RMP_ENTRY_SIZE 16

/* RMPUPDATE's operand and RMPREAD's result (16 bytes, APM vol. 3). */
struct hw_state {
	u64 gpa;
	u8 assigned;
	u8 pagesize; /* bit 0: 2 MiB; RMPREAD bit 1: some 4 KiB entry of the
		      * 2 MiB region is assigned */
	u8 immutable;
	u8 rsvd;
	u32 asid;
} __attribute__((packed, aligned(16)));

_Static_assert(sizeof(struct hw_state) == 16, "APM vol. 3 RMPUPDATE");

static struct rmp hw_rmp;

static bool amd_cpu(void)
{
	u32 a, v[3];

	cpuid(0, 0, &a, &v[0], &v[2], &v[1]);
	return !memcmp(v, "AuthenticAMD", 12);
}

const char *rmp_hw_lacks(void)
{
	u32 a, b, c, d;
	u64 base, end;

	if (!amd_cpu())
		return "no SEV-SNP: not an AMD CPU";
	cpuid(CPUID_EXT_MAX, 0, &a, &b, &c, &d);
	if (a < CPUID_SEV)
		return "no SEV-SNP: CPUID has no leaf 8000_001F";
	cpuid(CPUID_SEV, 0, &a, &b, &c, &d);
	if (!(a & CPUID_SEV_EAX_SNP))
		return "no SEV-SNP: CPUID 8000_001F EAX bit 4 clear";
	if (!(rdmsr(MSR_SYSCFG) & SYSCFG_SNP_EN))
		return "SEV-SNP not enabled by firmware (SYSCFG.SNP_EN clear)";
	if ((a & CPUID_SEV_EAX_SEGMENTED_RMP) &&
	    (rdmsr(MSR_RMP_CFG) & RMP_CFG_SEGMENTED))
		return "segmented RMP: not supported yet";
	base = rdmsr(MSR_RMP_BASE) & RMP_ADDR_MASK;
	end = rdmsr(MSR_RMP_END) & RMP_ADDR_MASK;
	if (!base || end <= base + RMP_BOOKKEEPING)
		return "no RMP: RMP_BASE/RMP_END not set by firmware";
	return NULL;
}

static enum rmp_ret hw_rmpupdate(struct rmp *r, u32 asid, phys_addr_t spa,
				 const struct rmp_state *st)
{
	struct hw_state s = {
		.gpa = st->gpa,
		.assigned = st->assigned,
		.pagesize = st->size_2m,
		.immutable = st->immutable,
		.asid = st->asid,
	};
	u64 ret;

	/* The hypervisor executes with ASID 0; a guest's ASID is the
	 * architecture's FAIL_PERMISSION, answered without executing. */
	if (asid)
		return RMP_FAIL_PERMISSION;
	__asm__ volatile(".byte 0xf2, 0x0f, 0x01, 0xfe"
			 : "=a"(ret)
			 : "a"(spa), "c"(&s)
			 : "memory", "cc");
	return (enum rmp_ret)(u32)ret;
}

static enum rmp_ret hw_psmash(struct rmp *r, u32 asid, phys_addr_t spa)
{
	u64 ret;

	if (asid)
		return RMP_FAIL_PERMISSION;
	__asm__ volatile(".byte 0xf3, 0x0f, 0x01, 0xff"
			 : "=a"(ret)
			 : "a"(spa)
			 : "memory", "cc");
	return (enum rmp_ret)(u32)ret;
}

/* Without RMPREAD (CPUID 8000_001F EAX[21]) the table is read in place;
 * its layout is not architectural: Zen 3/4's (Linux struct rmpentry_raw,
 * after the Family 19h PPR) is bit 0 assigned, 1 page size, 2 immutable,
 * 50:12 GPA, 60:51 ASID, 61 VMSA, 62 Validated. */
static void read_raw(phys_addr_t spa, struct rmp_info *out)
{
	u64 base = rdmsr(MSR_RMP_BASE) & RMP_ADDR_MASK;
	const u64 *e = (const u64 *)(base + RMP_BOOKKEEPING +
				     (spa >> 12) * RMP_ENTRY_SIZE);
	u64 lo = e[0];

	*out = (struct rmp_info){
		.assigned = lo & BIT(0),
		.size_2m = lo & BIT(1),
		.immutable = lo & BIT(2),
		.gpa = lo & (((1ULL << 51) - 1) & ~0xfffULL),
		.asid = (lo >> 51) & 0x3ff,
		.vmsa = lo & BIT(61),
		.validated = lo & BIT(62),
	};
}

static enum rmp_ret hw_rmpread(struct rmp *r, u32 asid, phys_addr_t spa,
			       struct rmp_info *out)
{
	struct hw_state s = {0};
	u32 a, b, c, d;
	u64 ret;

	if (asid)
		return RMP_FAIL_PERMISSION;
	if ((spa & 0xfff) || spa - r->base >= r->size)
		return RMP_FAIL_INPUT;
	cpuid(CPUID_SEV, 0, &a, &b, &c, &d);
	if (!(a & CPUID_SEV_EAX_RMPREAD)) {
		read_raw(spa, out);
		return RMP_SUCCESS;
	}
	__asm__ volatile(".byte 0xf2, 0x0f, 0x01, 0xfd"
			 : "=a"(ret)
			 : "a"(spa), "c"(&s)
			 : "memory", "cc");
	/* RMPREAD reports no Validated, VMSA or permissions. */
	*out = (struct rmp_info){
		.gpa = s.gpa,
		.assigned = s.assigned & 1,
		.size_2m = s.pagesize & 1,
		.immutable = s.immutable & 1,
		.asid = s.asid,
	};
	return (enum rmp_ret)(u32)ret;
}

/* The firmware's table outlives the hypervisor: nothing to free. */
static void hw_destroy(struct rmp *r)
{
}

static const struct rmp_ops hw_ops = {
	.name = "hw",
	.rmpupdate = hw_rmpupdate,
	.psmash = hw_psmash,
	.rmpread = hw_rmpread,
	.destroy = hw_destroy,
};

struct rmp *rmp_hw_get(void)
{
	u64 base, end;

	if (rmp_hw_lacks())
		return NULL;
	base = rdmsr(MSR_RMP_BASE) & RMP_ADDR_MASK;
	end = (rdmsr(MSR_RMP_END) & RMP_ADDR_MASK) | 0x1fffULL;
	hw_rmp = (struct rmp){
		.ops = &hw_ops,
		.base = 0,
		.size = (end + 1 - base - RMP_BOOKKEEPING) / RMP_ENTRY_SIZE *
			RMP_PAGE_4K,
	};
	return &hw_rmp;
}
