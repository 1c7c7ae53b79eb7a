// SPDX-License-Identifier: MIT
/* boot/console.c - the payload's console (see boot/console.h). */
#include "boot/console.h"
#include "boot/acpi.h"
#include "boot/spcr.h"
#include "boot/uefi.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define MIRROR_LINE 600 /* the "# options:" line fits */

static SIMPLE_TEXT_OUTPUT_INTERFACE *mirror;
/* Where the console came from (NULL: the default), and why not from
 * SPCR. */
static const char *source;
static char spcr_note[96] = "no ACPI SPCR";

static const struct uart com1 = {
	.space = UART_IO,
	.base = COM1_BASE,
	.width = 1,
	.baud = CONSOLE_BAUD_DEFAULT,
	.clock = UART_CLOCK_PC,
};

/* A number, hex with 0x or decimal, that fits in 64 bits. */
static int parse_num(const char *s, size_t len, u64 *out)
{
	unsigned int base = 10;
	u64 v = 0;

	if (len > 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (unsigned int)((c | 0x20) - 'a' + 10);
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -EINVAL;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static bool is(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(s, word, len);
}

static int parse_baud(const char *s, size_t len, u32 *baud)
{
	static const u32 bauds[] = {9600, 19200, 38400, 57600, 115200};
	u64 num;

	if (parse_num(s, len, &num))
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(bauds); i++) {
		if (num == bauds[i]) {
			*baud = bauds[i];
			return 0;
		}
	}
	return -EINVAL;
}

int console_parse(struct uart *u, const char *s, size_t len)
{
	const char *f[3];
	size_t n[3], nf = 0, at = 0;
	struct uart v = {.width = 1, .clock = UART_CLOCK_PC};
	u64 addr;

	/* Split at the commas: at most three fields. */
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != ',')
			continue;
		if (nf == ARRAY_SIZE(f))
			return -EINVAL;
		f[nf] = s + at;
		n[nf++] = i - at;
		at = i + 1;
	}
	if (is(f[0], n[0], "com1") || is(f[0], n[0], "com2")) {
		if (nf > 2)
			return -EINVAL;
		v.space = UART_IO;
		v.base = f[0][3] == '1' ? COM1_BASE : COM2_BASE;
		v.baud = CONSOLE_BAUD_DEFAULT;
		if (nf == 2 && parse_baud(f[1], n[1], &v.baud))
			return -EINVAL;
	} else if (is(f[0], n[0], "mmio") || is(f[0], n[0], "mmio32")) {
		v.space = UART_MMIO;
		v.width = n[0] == 4 ? 1 : 4;
		/* Nonzero, below 52 bits (the architectural limit), aligned. */
		if (nf < 2 || parse_num(f[1], n[1], &addr) || !addr ||
		    addr >> 52 || !IS_ALIGNED(addr, v.width))
			return -EINVAL;
		v.base = addr;
		if (nf == 3 && parse_baud(f[2], n[2], &v.baud))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	*u = v;
	return 0;
}

void console_start(const void *rsdp)
{
	const struct acpi_header *spcr;
	const char *why;
	char reason[64];
	struct uart u;
	int ret;

	serial_init(&com1);
	if (!rsdp) {
		gmv_snprintf(spcr_note, sizeof(spcr_note),
			     "no ACPI 2.0 RSDP from the firmware");
		return;
	}
	ret = acpi_find(rsdp, "SPCR", &spcr, &why);
	if (ret == -ENOENT)
		return;
	if (ret) {
		gmv_snprintf(spcr_note, sizeof(spcr_note),
			     "ACPI tables not read: %s", why);
		return;
	}
	if (spcr_uart(spcr, &u, reason, sizeof(reason))) {
		gmv_snprintf(spcr_note, sizeof(spcr_note),
			     "ACPI SPCR not used: %s", reason);
		return;
	}
	serial_init(&u);
	source = "from ACPI SPCR";
}

/* com1, com2, io, mmio, mmio16 or mmio32. */
static const char *uart_name(const struct uart *u)
{
	if (u->space == UART_IO)
		return u->base == COM1_BASE   ? "com1"
		       : u->base == COM2_BASE ? "com2"
					      : "io";
	return u->width == 4 ? "mmio32" : u->width == 2 ? "mmio16" : "mmio";
}

void console_choose(const struct uart *opt)
{
	const struct uart *u;
	char baud[40] = "baud as the firmware set it", clock[32] = "";

	if (opt->space != UART_NONE) {
		serial_init(opt);
		source = "from option";
	}
	u = serial_uart();
	if (u->baud)
		gmv_snprintf(baud, sizeof(baud), "%u", u->baud);
	if (u->clock != UART_CLOCK_PC)
		gmv_snprintf(clock, sizeof(clock), ", clock %u Hz", u->clock);
	kprintf("# console: %s (%s %#llx, %s%s) %s%s%s\n", uart_name(u),
		u->space == UART_IO ? "I/O" : "MMIO",
		(unsigned long long)u->base, baud, clock,
		source ? source : "default (", source ? "" : spcr_note,
		source ? "" : ")");
}

/* Whole lines to the mirror, so that they do not interleave with the
 * UART's copy where the firmware's console shares that port. */
static CHAR16 line[MIRROR_LINE + 3];
static size_t line_len;

static void mirror_flush(void)
{
	if (!line_len)
		return;
	line[line_len] = 0;
	mirror->OutputString(mirror, line);
	line_len = 0;
}

void console_mirror(void *conout)
{
	if (mirror)
		mirror_flush();
	mirror = conout;
}

/* The last byte sent, byte by byte, so that an NMI between two bytes
 * sees the truth: a line is in progress unless it is '\n'. */
static volatile char last = '\n';

void console_break_line(void)
{
	if (last != '\n')
		plat_console_write("\n", 1);
}

void plat_console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
		last = s[i];
		if (!mirror)
			continue;
		/* UCS-2, \n as \r\n, sent at the end of each line. */
		if (s[i] == '\n')
			line[line_len++] = '\r';
		line[line_len++] = (u8)s[i];
		if (s[i] == '\n' || line_len >= MIRROR_LINE)
			mirror_flush();
	}
}
