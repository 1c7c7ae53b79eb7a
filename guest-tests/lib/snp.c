// SPDX-License-Identifier: MIT
/*
 * guest-tests/lib/snp.c - the SEV-SNP guest runtime (guest-tests/lib/
 * snp.h): descriptor tables and exception catching, the private alias of
 * the identity map, the GHCB MSR protocol and the GHCB page.
 */
#include "guest-tests/lib/snp.h"
#include "guest-tests/lib/guest.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_PS BIT(7)
#define NR_ALIAS_PDS (GUEST_MAP_LIMIT >> 30)

/* ---- descriptor tables ---- */

/* The selectors the hypervisor entered the guest with at CPL0
 * (hv/svm/svm.c, GUEST_SEL_DATA0 / GUEST_SEL_CODE0): entries 5 and 6. */
#define SEL_DATA0 0x28
#define SEL_CODE0 0x30
static const u64 gdt[8] __attribute__((aligned(16))) = {
	[5] = 0x00cf93000000ffffULL, /* data, DPL0, writable */
	[6] = 0x00af9b000000ffffULL, /* code, 64-bit, DPL0 */
};

struct idt_gate {
	u16 off_lo, sel;
	u8 ist, type;
	u16 off_mid;
	u32 off_hi, zero;
};

static struct idt_gate idt[32] __attribute__((aligned(16)));

struct __attribute__((packed)) table_ptr {
	u16 limit;
	u64 base;
};

/* Exception entry points, 16 bytes each: vectors that push no error code
 * push 0, then each pushes its vector and joins the common path with RSP
 * at the frame. */
asm(".pushsection .text\n"
    ".align 16\n"
    "snp_exc_stubs:\n"
    ".set vec, 0\n"
    ".rept 32\n"
    "  .align 16\n"
    "  .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || "
    "(vec == 21) || (vec == 29) || (vec == 30)\n"
    "  .else\n"
    "    pushq $0\n"
    "  .endif\n"
    "  pushq $vec\n"
    "  jmp snp_exc_common\n"
    "  .set vec, vec + 1\n"
    ".endr\n"
    "snp_exc_common:\n"
    "  movq %rsp, %rdi\n"
    "  andq $-16, %rsp\n"
    "  call snp_exception\n"
    "  ud2\n"
    ".popsection");
extern char snp_exc_stubs[];

/* The catch in progress: where snp_catch() resumes, and its result
 * (global: the assembly below names them). */
u64 snp_catch_rsp;
struct snp_exception *snp_catch_out;

/* What the CPU pushed, with the entry point's two words (vector, error
 * code or 0) in front. */
struct exc_frame {
	u64 vector, error_code, rip, cs, rflags, rsp, ss;
};

/* snp_catch(fn, arg, e): callee-saved registers, RSP kept, fn called;
 * snp_catch_resume is where an exception lands, with RSP put back. */
asm(".pushsection .text\n"
    ".globl snp_catch\n"
    "snp_catch:\n"
    "  pushq %rbx\n  pushq %rbp\n  pushq %r12\n"
    "  pushq %r13\n  pushq %r14\n  pushq %r15\n"
    "  subq $8, %rsp\n"
    "  movq %rsp, snp_catch_rsp(%rip)\n"
    "  movq %rdx, snp_catch_out(%rip)\n"
    "  movq %rdi, %rax\n"
    "  movq %rsi, %rdi\n"
    "  call *%rax\n"
    "  xorl %eax, %eax\n"
    "  jmp 1f\n"
    "snp_catch_resume:\n"
    "  movl $1, %eax\n"
    "1:\n"
    "  movq $0, snp_catch_rsp(%rip)\n"
    "  addq $8, %rsp\n"
    "  popq %r15\n  popq %r14\n  popq %r13\n"
    "  popq %r12\n  popq %rbp\n  popq %rbx\n"
    "  ret\n"
    ".popsection");

void snp_exception(struct exc_frame *f);

__attribute__((used)) void snp_exception(struct exc_frame *f)
{
	char text[UCALL_TEXT_LEN];

	if (snp_catch_rsp) {
		*snp_catch_out =
			(struct snp_exception){.vector = f->vector,
					       .error_code = f->error_code,
					       .rip = f->rip};
		asm volatile("movq %0, %%rsp\n\tjmp snp_catch_resume"
			     :
			     : "r"(snp_catch_rsp)
			     : "memory");
		__builtin_unreachable();
	}
	gmv_snprintf(text, sizeof(text),
		     "unexpected exception %llu, error code %#llx, at rip",
		     (unsigned long long)f->vector,
		     (unsigned long long)f->error_code);
	guest_assert_fail(__FILE__, __LINE__, text, true, f->rip, 0);
}

static void load_tables(void)
{
	struct table_ptr g = {sizeof(gdt) - 1, (u64)gdt};
	struct table_ptr i = {sizeof(idt) - 1, (u64)idt};

	for (unsigned int v = 0; v < 32; v++) {
		u64 at = (u64)snp_exc_stubs + 16 * v;

		idt[v] = (struct idt_gate){
			.off_lo = (u16)at,
			.sel = SEL_CODE0,
			.type = 0x8e, /* present, DPL0, 64-bit interrupt gate */
			.off_mid = (u16)(at >> 16),
			.off_hi = (u32)(at >> 32),
		};
	}
	asm volatile("lgdt %0\n\tlidt %1" : : "m"(g), "m"(i) : "memory");
}

/* ---- the private alias ---- */

static u64 alias_pdpt[512] __attribute__((aligned(4096)));
static u64 alias_pd[NR_ALIAS_PDS][512] __attribute__((aligned(4096)));

static void map_private_alias(unsigned int c_bit)
{
	volatile u64 *pml4 = (volatile u64 *)GUEST_PML4_GPA;
	u64 cr3;

	for (u64 i = 0; i < NR_ALIAS_PDS; i++) {
		alias_pdpt[i] = (u64)alias_pd[i] | PTE_P | PTE_RW;
		for (u64 j = 0; j < 512; j++)
			alias_pd[i][j] = (i << 30 | j << 21) | BIT(c_bit) |
					 PTE_P | PTE_RW | PTE_PS;
	}
	pml4[SNP_PRIVATE_BASE >> 39] = (u64)alias_pdpt | PTE_P | PTE_RW;
	asm volatile("mov %%cr3, %0\n\tmov %0, %%cr3" : "=r"(cr3) : : "memory");
}

unsigned int snp_init(void)
{
	u64 resp;
	unsigned int c_bit;

	_Static_assert(SNP_PRIVATE_BASE >= GUEST_MAP_LIMIT,
		       "the alias lies above the identity map");
	load_tables();
	/* SEV_STATUS bit 2: SNP is active. */
	GUEST_ASSERT(snp_rdmsr(SNP_MSR_SEV_STATUS) & BIT(2));
	resp = snp_msr_protocol(SNP_MSR_SEV_INFO_REQ);
	GUEST_ASSERT_EQ(resp & SNP_MSR_INFO_MASK, SNP_MSR_SEV_INFO_RESP);
	/* SNP needs GHCB protocol version 2 (GHCB spec, "SEV Information"). */
	GUEST_ASSERT(resp >> 48 >= 2);
	c_bit = (resp >> 24) & 0x3f;
	GUEST_ASSERT(c_bit >= 32 && c_bit < 52);
	map_private_alias(c_bit);
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
