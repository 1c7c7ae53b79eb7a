// SPDX-License-Identifier: MIT
/*
 * tests/payload/tdx_hw_test.c - tdx_hw_lacks() on the machine the payload
 * boots on (hv/tdx/tdx_probe.c): it names the first piece missing for a
 * TDX module, reading no MSR a non-Intel CPU lacks (a #GP would end the
 * run). Under QEMU TCG (-cpu max reports AuthenticAMD) that is "not an
 * Intel CPU"; on an Intel CPU it is a later piece, and never NULL while
 * nothing initialises the module.
 */
#include "hv/tdx/tdx_module.h"
#include "hv/x86/cpu.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/suites.h"

static bool contains(const char *s, const char *part)
{
	size_t n = strlen(part);

	for (; s && *s; s++)
		if (!strncmp(s, part, n))
			return true;
	return false;
}

static void names_first_missing(struct kt *t)
{
	const char *why = tdx_hw_lacks();
	u32 a, v[3];
	bool intel;

	cpuid(0, 0, &a, &v[0], &v[2], &v[1]);
	intel = !memcmp(v, "GenuineIntel", 12);
	KT_ASSERT(t, why != NULL);
	kt_diag(t, "%s", why);
	KT_EXPECT(t, contains(why, "no TDX module: "));
	KT_EXPECT_EQ(t, contains(why, "not an Intel CPU"), !intel);
}

static const struct kt_case tdx_hw_cases[] = {
	KT_CASE(names_first_missing),
};

const struct kt_suite tdx_hw_suite = KT_SUITE("tdx_hw", tdx_hw_cases);
