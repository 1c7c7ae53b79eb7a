// SPDX-License-Identifier: MIT
/* tests/payload/options_test.c - boot.options: the command-line rules. */
#include "boot/options.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/payload/boot_tests.h"

static void options_defaults(struct kt *t)
{
	struct boot_options o;

	options_init(&o);
	KT_EXPECT_STR_EQ(t, o.filter, "");
	KT_EXPECT(t, !o.list);
	KT_EXPECT_EQ(t, o.pool_limit, OPT_POOL_DEFAULT);
	KT_EXPECT_EQ(t, o.end, END_DEFAULT);
	KT_EXPECT_EQ(t, o.deadline, 0);
	KT_EXPECT(t, !o.bochs);
	KT_EXPECT(t, !o.bench);
}

static void options_end_actions(struct kt *t)
{
	struct boot_options o;

	options_init(&o);
	KT_ASSERT_OK(t, options_parse(&o, "end=halt", NULL));
	KT_EXPECT_EQ(t, o.end, END_HALT);
	KT_ASSERT_OK(t, options_parse(&o, "end=reboot", NULL));
	KT_EXPECT_EQ(t, o.end, END_REBOOT);
	KT_ASSERT_OK(t, options_parse(&o, "end=shutdown", NULL));
	KT_EXPECT_EQ(t, o.end, END_SHUTDOWN);
}

static void options_deadlines(struct kt *t)
{
	struct boot_options o;

	options_init(&o);
	KT_ASSERT_OK(t, options_parse(&o, "deadline=1", NULL));
	KT_EXPECT_EQ(t, o.deadline, 1);
	KT_ASSERT_OK(t, options_parse(&o, "deadline=0600", NULL));
	KT_EXPECT_EQ(t, o.deadline, 600);
	KT_ASSERT_OK(t, options_parse(&o, "deadline=1000000", NULL));
	KT_EXPECT_EQ(t, o.deadline, OPT_DEADLINE_MAX);
}

static void options_parse_every_word(struct kt *t)
{
	struct boot_options o;

	options_init(&o);
	KT_ASSERT_OK(t, options_parse(&o, "  filter=alloc.* list\tpool=64M\n",
				      NULL));
	KT_EXPECT_STR_EQ(t, o.filter, "alloc.*");
	KT_EXPECT(t, o.list);
	KT_EXPECT_EQ(t, o.pool_limit, 64ULL << 20);
	KT_ASSERT_OK(t, options_parse(&o, "machine=bochs", NULL));
	KT_EXPECT(t, o.bochs);
	KT_ASSERT_OK(t, options_parse(&o, "bench=1", NULL));
	KT_EXPECT(t, o.bench);
}

static void options_pool_sizes(struct kt *t)
{
	static const struct {
		const char *text;
		u64 bytes;
	} ok[] = {
		{ "pool=1048576", 1ULL << 20 }, { "pool=2048k", 2ULL << 20 },
		{ "pool=1024K", OPT_POOL_MIN },	{ "pool=3M", 3ULL << 20 },
		{ "pool=2G", 2ULL << 30 },	{ "pool=16g", 16ULL << 30 },
	};
	struct boot_options o;

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		options_init(&o);
		KT_EXPECT_OK(t, options_parse(&o, ok[i].text, NULL));
		KT_EXPECT_EQ(t, o.pool_limit, ok[i].bytes);
	}
}

static void options_later_word_wins(struct kt *t)
{
	struct boot_options o;

	options_init(&o);
	KT_ASSERT_OK(t, options_parse(&o, "filter=a pool=1M", NULL));
	KT_ASSERT_OK(t, options_parse(&o, "filter=b.* pool=2M", NULL));
	KT_EXPECT_STR_EQ(t, o.filter, "b.*");
	KT_EXPECT_EQ(t, o.pool_limit, 2ULL << 20);
}

static void options_bad_words_change_nothing(struct kt *t)
{
	static const char *const bad[] = {
		"verbose",	     "pool=",	 "pool=-1",
		"pool=12x",	     "pool=1MB", "pool=M",
		"listing",	     "Filter=x", "pool=99999999999999999999",
		"pool=17179869184G", "end=",	 "end=off",
		"end=shutdownx",     "end=Halt", "end=halt=1",
		"deadline=",	     "deadline=0", "deadline=-1",
		"deadline=1s",	     "deadline=1000001",
		"deadline=99999999999999999999999",
		"machine=",	     "machine=qemu", "machine=bochsx",
		"bochs",	     "bench", "bench=0",
		"bench=1x",
	};
	struct boot_options o, before;

	options_init(&o);
	KT_ASSERT_OK(t, options_parse(&o, "filter=keep pool=5M", NULL));
	before = o;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char text[64];
		const char *where = NULL;

		/* A good word first: it must not be applied either. */
		memcpy(text, "list ", 5);
		memcpy(text + 5, bad[i], strlen(bad[i]) + 1);
		KT_EXPECT_ERRNO(t, options_parse(&o, text, &where), EINVAL);
		KT_EXPECT(t, where == text + 5);
		KT_EXPECT(t, !memcmp(&o, &before, sizeof(o)));
	}
}

/* A pool below OPT_POOL_MIN cannot boot: ERANGE, named, nothing applied. */
static void options_pool_too_small(struct kt *t)
{
	static const char *const small[] = {
		"pool=0", "pool=1", "pool=4K", "pool=4096", "pool=1023k",
		"pool=1048575",
	};
	struct boot_options o, before;

	options_init(&o);
	before = o;
	for (size_t i = 0; i < ARRAY_SIZE(small); i++) {
		char text[64];
		const char *where = NULL;

		memcpy(text, "list ", 5);
		memcpy(text + 5, small[i], strlen(small[i]) + 1);
		KT_EXPECT_ERRNO(t, options_parse(&o, text, &where), ERANGE);
		KT_EXPECT(t, where == text + 5);
		KT_EXPECT(t, !memcmp(&o, &before, sizeof(o)));
	}
}

static void options_filter_too_long(struct kt *t)
{
	static char text[OPT_TEXT_MAX + 16];
	struct boot_options o;

	options_init(&o);
	memcpy(text, "filter=", 7);
	memset(text + 7, 'x', OPT_TEXT_MAX);
	text[7 + OPT_TEXT_MAX] = '\0';
	KT_EXPECT_ERRNO(t, options_parse(&o, text, NULL), EINVAL);
	KT_EXPECT_STR_EQ(t, o.filter, "");
}

/* UCS-2 copy of an ASCII string, NUL included; returns its byte size. */
static size_t ucs2(u16 *out, const char *s)
{
	size_t n = 0;

	do
		out[n] = (u8)s[n];
	while (s[n++]);
	return n * 2;
}

static void options_ucs2_command_line(struct kt *t)
{
	u16 in[64];
	char out[64];

	KT_EXPECT_OK(t, options_from_ucs2(out, sizeof(out), in,
					  ucs2(in, "filter=x list")));
	KT_EXPECT_STR_EQ(t, out, "filter=x list");
	/* From the shell: the program's name comes first. */
	KT_EXPECT_OK(t,
		     options_from_ucs2(out, sizeof(out), in,
				       ucs2(in, "fs0:\\gmemvisor.efi list")));
	KT_EXPECT_STR_EQ(t, out, " list");
	KT_EXPECT_OK(t, options_from_ucs2(out, sizeof(out), in,
					  ucs2(in, "gmemvisor")));
	KT_EXPECT_STR_EQ(t, out, "");
	/* Not NUL-terminated: the size ends it. */
	ucs2(in, "list");
	KT_EXPECT_OK(t, options_from_ucs2(out, sizeof(out), in, 8));
	KT_EXPECT_STR_EQ(t, out, "list");
}

static void options_ucs2_binary_is_ignored(struct kt *t)
{
	/* EDK2 tags the boot options it creates itself with a GUID in their
	 * optional data (mBmAutoCreateBootOptionGuid), and optional data is
	 * what an image gets as LoadOptions: binary, not text. */
	static const u8 guid[16] = { 0x4e, 0xac, 0x08, 0x81, 0x11, 0x9f,
				     0x59, 0x4d, 0x85, 0x0e, 0xe2, 0x1a,
				     0x52, 0x2c, 0x59, 0xb2 };
	u16 in[8];
	char out[64] = "junk";

	memcpy(in, guid, sizeof(guid));
	KT_EXPECT_OK(t, options_from_ucs2(out, sizeof(out), in, sizeof(in)));
	KT_EXPECT_STR_EQ(t, out, "");
	memcpy(out, "junk", 5);
	KT_EXPECT_OK(t, options_from_ucs2(out, sizeof(out), in, 3));
	KT_EXPECT_STR_EQ(t, out, "");
	KT_EXPECT_OK(t, options_from_ucs2(out, sizeof(out), NULL, 0));
	KT_EXPECT_STR_EQ(t, out, "");
}

static void options_ucs2_too_long(struct kt *t)
{
	u16 in[64];
	char out[8] = "junk";

	KT_EXPECT_ERRNO(t,
			options_from_ucs2(out, sizeof(out), in,
					  ucs2(in, "filter=12345678")),
			E2BIG);
	KT_EXPECT_STR_EQ(t, out, "");
}

/* The options file: lines and comments become one line of words. */
static void options_file_text(struct kt *t)
{
	static const char file[] = "# gmemvisor options\r\n"
				   "filter=lib.*   # only the lib suite\n"
				   "\tlist\n"
				   "#pool=1M\n"
				   "pool=64M";
	char out[64] = "junk";

	KT_EXPECT_OK(t, options_from_file(out, sizeof(out), file,
					  sizeof(file) - 1));
	KT_EXPECT_STR_EQ(t, out, "filter=lib.* list pool=64M");
	KT_EXPECT_OK(t, options_from_file(out, sizeof(out), "# nothing\n", 10));
	KT_EXPECT_STR_EQ(t, out, "");
	KT_EXPECT_OK(t, options_from_file(out, sizeof(out), "", 0));
	KT_EXPECT_STR_EQ(t, out, "");
}

static void options_file_bad(struct kt *t)
{
	static const char binary[] = "list\0filter=x";
	char out[16] = "junk";

	/* Binary: a NUL, or a UTF-8 byte even in a comment. */
	KT_EXPECT_ERRNO(t, options_from_file(out, sizeof(out), binary,
					     sizeof(binary) - 1),
			EINVAL);
	KT_EXPECT_STR_EQ(t, out, "");
	KT_EXPECT_ERRNO(t, options_from_file(out, sizeof(out),
					     "list # \xc3\xa9", 9),
			EINVAL);
	/* Too long for out: nothing half-copied. */
	KT_EXPECT_ERRNO(t, options_from_file(out, sizeof(out),
					     "filter=0123456789", 17),
			E2BIG);
	KT_EXPECT_STR_EQ(t, out, "");
	/* Exactly fits (15 characters and the NUL). */
	KT_EXPECT_OK(t, options_from_file(out, sizeof(out),
					  "filter=01234567\n", 16));
	KT_EXPECT_STR_EQ(t, out, "filter=01234567");
}

static const struct kt_case options_cases[] = {
	KT_CASE(options_defaults),
	KT_CASE(options_end_actions),
	KT_CASE(options_deadlines),
	KT_CASE(options_parse_every_word),
	KT_CASE(options_pool_sizes),
	KT_CASE(options_later_word_wins),
	KT_CASE(options_bad_words_change_nothing),
	KT_CASE(options_pool_too_small),
	KT_CASE(options_filter_too_long),
	KT_CASE(options_ucs2_command_line),
	KT_CASE(options_ucs2_binary_is_ignored),
	KT_CASE(options_ucs2_too_long),
	KT_CASE(options_file_text),
	KT_CASE(options_file_bad),
};

const struct kt_suite options_suite = KT_SUITE("options", options_cases);
