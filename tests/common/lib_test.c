// SPDX-License-Identifier: MIT
/* tests/common/lib_test.c - the formatter, globbing and errno names. */
#include "lib/fmt.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/suites.h"

static void lib_fmt_conversions(struct kt *t)
{
	char b[64];

	gmv_snprintf(b, sizeof(b), "%d %u %x %#llx %s %c%%", -42, 7u, 0xbeefu,
		     0x123456789abcULL, "ok", 'z');
	KT_EXPECT_STR_EQ(t, b, "-42 7 beef 0x123456789abc ok z%");
	gmv_snprintf(b, sizeof(b), "[%5d|%-5d|%05x|%.2s]", 12, 12, 0xab,
		     "abc");
	KT_EXPECT_STR_EQ(t, b, "[   12|12   |000ab|ab]");
	gmv_snprintf(b, sizeof(b), "%lld %zu", (long long)INT64_MIN,
		     (size_t)0);
	KT_EXPECT_STR_EQ(t, b, "-9223372036854775808 0");
}

static void lib_fmt_truncates(struct kt *t)
{
	char b[8];

	KT_EXPECT_EQ(t, gmv_snprintf(b, sizeof(b), "%s", "0123456789"), 10);
	KT_EXPECT_STR_EQ(t, b, "0123456");
	KT_EXPECT_EQ(t, gmv_snprintf(NULL, 0, "%d", 12345), 5);
}

static void lib_glob(struct kt *t)
{
	KT_EXPECT(t, kt_glob_match("*", "alloc.split"));
	KT_EXPECT(t, kt_glob_match("alloc.*", "alloc.split"));
	KT_EXPECT(t, kt_glob_match("*.sp?it", "alloc.split"));
	KT_EXPECT(t, !kt_glob_match("alloc", "alloc.split"));
	KT_EXPECT(t, !kt_glob_match("gmem.*", "alloc.split"));
	KT_EXPECT(t, kt_glob_match("a*b*c", "a-b-b-c"));
}

static void lib_errno_names(struct kt *t)
{
	KT_EXPECT_STR_EQ(t, errno_name(-EINVAL), "EINVAL");
	KT_EXPECT_STR_EQ(t, errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	KT_EXPECT_STR_EQ(t, errno_name(0), "0");
	KT_EXPECT_STR_EQ(t, errno_name(-4000), "E4000");
}

static void lib_mem_is_zero(struct kt *t)
{
	u8 b[67] = { 0 };

	KT_EXPECT(t, mem_is_zero(b + 1, 65));
	b[66] = 1;
	KT_EXPECT(t, !mem_is_zero(b + 1, 66));
	KT_EXPECT(t, mem_is_zero(b + 1, 65));
}

static const struct kt_case lib_cases[] = {
	KT_CASE(lib_fmt_conversions), KT_CASE(lib_fmt_truncates),
	KT_CASE(lib_glob),	      KT_CASE(lib_errno_names),
	KT_CASE(lib_mem_is_zero),
};

const struct kt_suite lib_suite = KT_SUITE("lib", lib_cases);
