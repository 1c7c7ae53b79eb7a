// SPDX-License-Identifier: MIT
/*
 * guest-tests/lib/ucall.c - the guest end of the report channel: fill a
 * struct guest_ucall on the stack and hand its GPA to the host with one
 * OUT (guest-tests/lib/abi.h).
 */
#include "guest-tests/lib/guest.h"
#include "lib/fmt.h"
#include "lib/mem.h"

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	/* Keep the end of long paths: that is the informative part. */
	if (n >= cap)
		src += n - (cap - 1);
	n = MIN(n, cap - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void send(struct guest_ucall *uc)
{
	/* The OUT says nothing to the compiler about memory: without this
	 * barrier the stores filling *uc could move past it (or, uc being
	 * dead after it, vanish), and the host would read stale bytes. */
	asm volatile("" : : : "memory");
	/* Identity mapped low memory: the address is the GPA, < 4 GiB. */
	outl(GUEST_UCALL_PORT, (u32)(uintptr_t)uc);
}

void guest_ucall(u64 cmd, const char *file, int line, u64 a0, u64 a1,
		 u64 a2, const char *text)
{
	struct guest_ucall uc = {
		.cmd = cmd,
		.line = line,
		.args = { a0, a1, a2 },
	};

	copy_str(uc.file, sizeof(uc.file), file);
	copy_str(uc.text, sizeof(uc.text), text ? text : "");
	send(&uc);
}

/* The host stops at DONE and ASSERT; should it re-enter anyway, the
 * guest repeats the report rather than run on. */
void guest_done(void)
{
	for (;;)
		guest_ucall(UCALL_DONE, __FILE__, __LINE__, 0, 0, 0, NULL);
}

void guest_assert_fail(const char *file, int line, const char *expr,
		       bool has_values, u64 a, u64 b)
{
	for (;;)
		guest_ucall(UCALL_ASSERT, file, line, a, b, has_values, expr);
}

void guest_printf_at(const char *file, int line, const char *fmt, ...)
{
	char text[UCALL_TEXT_LEN];
	va_list ap;

	va_start(ap, fmt);
	gmv_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	guest_ucall(UCALL_PRINT, file, line, 0, 0, 0, text);
}
