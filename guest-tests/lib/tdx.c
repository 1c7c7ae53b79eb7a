// SPDX-License-Identifier: MIT
/*
 * guest-tests/lib/tdx.c - the TD guest runtime (guest-tests/lib/tdx.h):
 * TDCALL, its leaves, and the private alias of the identity map.
 */
#include "guest-tests/lib/tdx.h"
#include "guest-tests/lib/guest.h"

static u64 shared_bit;

void tdx_tdcall(struct tdx_regs *r)
{
	register u64 r8 asm("r8") = r->r8;
	register u64 r9 asm("r9") = r->r9;
	register u64 r10 asm("r10") = r->r10;
	register u64 r11 asm("r11") = r->r11;
	register u64 r12 asm("r12") = r->r12;
	register u64 r13 asm("r13") = r->r13;

	asm volatile(".byte 0x66, 0x0f, 0x01, 0xcc"
		     : "+a"(r->rax), "+c"(r->rcx), "+d"(r->rdx), "+r"(r8),
		       "+r"(r9), "+r"(r10), "+r"(r11), "+r"(r12), "+r"(r13)
		     :
		     : "memory", "cc");
	r->r8 = r8;
	r->r9 = r9;
	r->r10 = r10;
	r->r11 = r11;
	r->r12 = r12;
	r->r13 = r13;
}

u64 tdx_vp_info(struct tdx_vp_info *out)
{
	struct tdx_regs r = {.rax = TDG_VP_INFO};

	tdx_tdcall(&r);
	*out = (struct tdx_vp_info){.gpaw = r.rcx & 0x3f,
				    .attributes = r.rdx,
				    .num_vcpus = (u32)r.r8,
				    .max_vcpus = r.r8 >> 32,
				    .vcpu_index = (u32)r.r9};
	return r.rax;
}

u64 tdx_veinfo_get(struct tdx_ve_info *out)
{
	struct tdx_regs r = {.rax = TDG_VP_VEINFO_GET};

	tdx_tdcall(&r);
	*out = (struct tdx_ve_info){.exit_reason = r.rcx,
				    .exit_qualification = r.rdx,
				    .gla = r.r8,
				    .gpa = r.r9,
				    .insn = r.r10};
	return r.rax;
}

u64 tdx_accept(u64 gpa, unsigned int level)
{
	struct tdx_regs r = {.rax = TDG_MEM_PAGE_ACCEPT, .rcx = gpa | level};

	tdx_tdcall(&r);
	return r.rax;
}

unsigned int tdx_init(void)
{
	struct tdx_vp_info info;

	_Static_assert(TDX_PRIVATE_BASE >= GUEST_MAP_LIMIT,
		       "the alias lies above the identity map");
	guest_exceptions_init();
	GUEST_ASSERT_EQ(tdx_vp_info(&info), 0);
	GUEST_ASSERT_EQ(info.gpaw, 48);
	shared_bit = 1ULL << (info.gpaw - 1);
	/* The alias's tables are in the image, shared like all of low
	 * memory; its leaves are private. */
	guest_map_alias(TDX_PRIVATE_BASE, shared_bit, 0);
	return info.gpaw;
}

u64 tdx_shared_bit(void)
{
	return shared_bit;
}

u64 tdx_vmcall_map_gpa(u64 gpa, u64 size, u64 *r11)
{
	/* RCX: R10-R13 exposed to the VMM (GHCI, "TDG.VP.VMCALL"). */
	struct tdx_regs r = {.rax = TDG_VP_VMCALL,
			     .rcx = BIT(10) | BIT(11) | BIT(12) | BIT(13),
			     .r10 = 0,
			     .r11 = TDVMCALL_MAP_GPA,
			     .r12 = gpa,
			     .r13 = size};

	tdx_tdcall(&r);
	GUEST_ASSERT_EQ(r.rax, 0);
	*r11 = r.r11;
	return r.r10;
}

u64 tdx_map_gpa(u64 gpa, u64 size, bool shared, u64 *retries)
{
	u64 start = gpa | (shared ? shared_bit : 0), end = start + size;
	u64 at = start, r11, st;
	unsigned int stuck = 0;

	if (retries)
		*retries = 0;
	for (;;) {
		st = tdx_vmcall_map_gpa(at, end - at, &r11);
		if (st != TDVMCALL_STATUS_RETRY)
			return st;
		if (retries)
			(*retries)++;
		GUEST_ASSERT(r11 >= at && r11 < end);
		if (r11 == at && ++stuck > 3)
			return st;
		if (r11 != at)
			stuck = 0;
		at = r11;
	}
}
