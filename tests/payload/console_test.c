// SPDX-License-Identifier: MIT
/*
 * tests/payload/console_test.c - boot.console: the console UART (whichever
 * boot/console.c chose) is there and the console path (kprintf ->
 * plat_console_write -> UART) sends the right bytes; the console= forms;
 * the SPCR table's decoding and the ACPI lookup that finds it. Output is
 * looped back inside the UART (MCR loopback) and read from its receive
 * FIFO, so nothing reaches the serial line meanwhile.
 */
#include "boot/acpi.h"
#include "boot/console.h"
#include "boot/options.h"
#include "boot/serial.h"
#include "boot/spcr.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/payload/boot_tests.h"

#define UART_FIFO 16

static u8 uart_in(unsigned int reg)
{
	return serial_in(reg);
}

static void uart_out(unsigned int reg, u8 v)
{
	serial_out(reg, v);
}

static void console_uart_present(struct kt *t)
{
	KT_EXPECT(t, serial_present());
}

/* Bytes the UART received, up to n; drains the receive FIFO. */
static size_t drain(char *buf, size_t n)
{
	size_t got = 0;

	while (uart_in(UART_LSR) & UART_LSR_DR) {
		char c = (char)uart_in(UART_DATA);

		if (got < n)
			buf[got++] = c;
	}
	return got;
}

/*
 * Send what fn prints with the UART in loopback and return what came back.
 * Nothing else may print meanwhile, so checks happen after.
 */
static size_t loopback(void (*fn)(void), char *buf, size_t n)
{
	u8 mcr = uart_in(UART_MCR);
	size_t got;

	drain(buf, 0);
	uart_out(UART_MCR, mcr | UART_MCR_LOOP);
	fn();
	/* At 115200 baud a byte takes ~87 us; wait for the last to land. */
	for (int i = 0; i < 1000000 && !(uart_in(UART_LSR) & UART_LSR_TEMT);
	     i++)
		;
	got = drain(buf, n);
	uart_out(UART_MCR, mcr);
	return got;
}

/*
 * The console UART must loop back what it sends for the cases that check
 * the bytes: one byte written straight to it in loopback must come back.
 * Bochs's file-backed 16550 has no loopback, and there the probe goes out
 * on the line, at the start of the case's result line: so it is a
 * carriage return, which leaves that line as it was (the runners drop
 * CRs; the console ends every line with one).
 */
static const char *need_loopback(struct kt *t)
{
	u8 mcr = uart_in(UART_MCR);
	char c = 0;
	size_t n;

	(void)t;
	drain(&c, 0);
	uart_out(UART_MCR, mcr | UART_MCR_LOOP);
	uart_out(UART_DATA, '\r');
	for (int i = 0; i < 1000000 && !(uart_in(UART_LSR) & UART_LSR_TEMT);
	     i++)
		;
	n = drain(&c, 1);
	uart_out(UART_MCR, mcr);
	return n == 1 && c == '\r' ? NULL
				   : "the console UART does not loop back "
				     "what it sends (MCR loopback; Bochs's "
				     "file-backed 16550 has none)";
}

static void print_lines(void)
{
	kputs("a\nb");
}

static void print_formatted(void)
{
	kprintf("%d-%s-%02x\n", 42, "ok", 7);
}

static void console_newline_becomes_crlf(struct kt *t)
{
	char buf[UART_FIFO];
	size_t n = loopback(print_lines, buf, sizeof(buf));

	KT_EXPECT_EQ(t, n, 4);
	KT_EXPECT_MEM_EQ(t, buf, "a\r\nb", 4);
}

static void console_kprintf_formats(struct kt *t)
{
	static const char want[] = "42-ok-07\r\n";
	char buf[UART_FIFO];
	size_t n = loopback(print_formatted, buf, sizeof(buf));

	KT_EXPECT_EQ(t, n, sizeof(want) - 1);
	KT_EXPECT_MEM_EQ(t, buf, want, sizeof(want) - 1);
}

static void console_option_forms(struct kt *t)
{
	static const struct {
		const char *text;
		enum uart_space space;
		u64 base;
		u8 width;
		u32 baud;
	} ok[] = {
		{"com1", UART_IO, COM1_BASE, 1, 115200},
		{"com2", UART_IO, COM2_BASE, 1, 115200},
		{"com2,9600", UART_IO, COM2_BASE, 1, 9600},
		{"com1,57600", UART_IO, COM1_BASE, 1, 57600},
		{"mmio,0xfe001000", UART_MMIO, 0xfe001000, 1, 0},
		{"mmio,0XFE001001,19200", UART_MMIO, 0xfe001001, 1, 19200},
		{"mmio,4096", UART_MMIO, 4096, 1, 0},
		{"mmio32,0xfedc9000,115200", UART_MMIO, 0xfedc9000, 4, 115200},
	};
	struct uart u;

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		memset(&u, 0xee, sizeof(u));
		if (!KT_EXPECT_OK(t, console_parse(&u, ok[i].text,
						   strlen(ok[i].text)))) {
			kt_fail_note(t, "console=%s", ok[i].text);
			continue;
		}
		KT_EXPECT_EQ(t, u.space, ok[i].space);
		KT_EXPECT_EQ(t, u.base, ok[i].base);
		KT_EXPECT_EQ(t, u.width, ok[i].width);
		KT_EXPECT_EQ(t, u.baud, ok[i].baud);
		KT_EXPECT_EQ(t, u.clock, UART_CLOCK_PC);
	}
}

static void console_option_bad_forms(struct kt *t)
{
	static const char *const bad[] = {
		"",
		"com3",
		"COM1",
		"com1,",
		",com1",
		"com1,1200",
		"com1,115200,1",
		"com1,0x1c200x",
		"mmio",
		"mmio,",
		"mmio,0",
		"mmio,0x",
		"mmio,0xzz",
		"mmio,0x10000000000000", /* 2^52 */
		"mmio32,0xfedc9002", /* not 4-byte aligned */
		"mmio,0x1000,115200,1",
		"mmio,0x1000,",
		"mmio16,0x1000",
		"mmio,99999999999999999999999",
	};
	struct boot_options o, before;

	options_init(&o);
	KT_ASSERT_OK(t, options_parse(&o, "console=com2", NULL));
	KT_EXPECT_EQ(t, o.console.base, COM2_BASE);
	before = o;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char text[64] = "console=";
		const char *where = NULL;

		memcpy(text + 8, bad[i], strlen(bad[i]) + 1);
		if (!KT_EXPECT_ERRNO(t, options_parse(&o, text, &where),
				     EINVAL))
			kt_fail_note(t, "%s", text);
		KT_EXPECT(t, where == text);
		KT_EXPECT(t, !memcmp(&o, &before, sizeof(o)));
	}
}

/* An SPCR table: revision 2 unless changed, COM2 at 115200. */
struct spcr_img {
	struct acpi_header h;
	u8 interface_type;
	u8 reserved[3];
	u8 gas_space, gas_bit_width, gas_bit_offset, gas_access_size;
	u64 gas_address;
	u8 irq_type, irq;
	u32 gsi;
	u8 baud, parity, stop_bits, flow, terminal, language;
	u16 pci_device, pci_vendor;
	u8 pci_bus, pci_dev, pci_fn;
	u32 pci_flags;
	u8 pci_segment;
	u32 clock;
	u32 precise_baud;
} __attribute__((packed));

static void spcr_com2(struct spcr_img *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->h.signature, "SPCR", 4);
	s->h.length = 80;
	s->h.revision = 2;
	s->gas_space = 1;
	s->gas_bit_width = 8;
	s->gas_address = COM2_BASE;
	s->baud = 7;
}

static void console_spcr_decodes(struct kt *t)
{
	struct spcr_img s;
	struct uart u;
	char why[96];

	spcr_com2(&s);
	KT_ASSERT_OK(t, spcr_uart(&s.h, &u, why, sizeof(why)));
	KT_EXPECT_EQ(t, u.space, UART_IO);
	KT_EXPECT_EQ(t, u.base, COM2_BASE);
	KT_EXPECT_EQ(t, u.width, 1);
	KT_EXPECT_EQ(t, u.baud, 115200);
	KT_EXPECT_EQ(t, u.clock, UART_CLOCK_PC);
	/* Baud codes; 0 and the undefined 5 keep the firmware's rate. */
	s.baud = 3;
	KT_EXPECT_OK(t, spcr_uart(&s.h, &u, why, sizeof(why)));
	KT_EXPECT_EQ(t, u.baud, 9600);
	s.baud = 4;
	KT_EXPECT_OK(t, spcr_uart(&s.h, &u, why, sizeof(why)));
	KT_EXPECT_EQ(t, u.baud, 19200);
	s.baud = 6;
	KT_EXPECT_OK(t, spcr_uart(&s.h, &u, why, sizeof(why)));
	KT_EXPECT_EQ(t, u.baud, 57600);
	s.baud = 0;
	KT_EXPECT_OK(t, spcr_uart(&s.h, &u, why, sizeof(why)));
	KT_EXPECT_EQ(t, u.baud, 0);
	s.baud = 5;
	KT_EXPECT_OK(t, spcr_uart(&s.h, &u, why, sizeof(why)));
	KT_EXPECT_EQ(t, u.baud, 0);

	/* 16550 with a GAS, 32-bit MMIO registers, rev 4 clock and rate;
	 * the clock and precise rate are not read below their revisions. */
	spcr_com2(&s);
	s.interface_type = 0x12;
	s.gas_space = 0;
	s.gas_bit_width = 32;
	s.gas_access_size = 3;
	s.gas_address = 0xfedc9000;
	s.clock = 48000000;
	s.precise_baud = 1500000;
	KT_ASSERT_OK(t, spcr_uart(&s.h, &u, why, sizeof(why)));
	KT_EXPECT_EQ(t, u.space, UART_MMIO);
	KT_EXPECT_EQ(t, u.width, 4);
	KT_EXPECT_EQ(t, u.base, 0xfedc9000);
	KT_EXPECT_EQ(t, u.clock, UART_CLOCK_PC);
	KT_EXPECT_EQ(t, u.baud, 115200);
	s.h.revision = 3;
	KT_EXPECT_OK(t, spcr_uart(&s.h, &u, why, sizeof(why)));
	KT_EXPECT_EQ(t, u.clock, 48000000);
	KT_EXPECT_EQ(t, u.baud, 115200);
	s.h.revision = 4;
	s.h.length = sizeof(s);
	KT_EXPECT_OK(t, spcr_uart(&s.h, &u, why, sizeof(why)));
	KT_EXPECT_EQ(t, u.baud, 1500000);
	/* Access size undefined: the bit width decides; byte access. */
	s.gas_access_size = 0;
	KT_EXPECT_OK(t, spcr_uart(&s.h, &u, why, sizeof(why)));
	KT_EXPECT_EQ(t, u.width, 4);
	s.gas_bit_width = 8;
	KT_EXPECT_OK(t, spcr_uart(&s.h, &u, why, sizeof(why)));
	KT_EXPECT_EQ(t, u.width, 1);
	s.gas_access_size = 1;
	s.gas_bit_width = 32;
	KT_EXPECT_OK(t, spcr_uart(&s.h, &u, why, sizeof(why)));
	KT_EXPECT_EQ(t, u.width, 1);
}

static void console_spcr_refuses(struct kt *t)
{
	static const struct {
		const char *what;
		size_t off;
		u8 value;
		const char *why;
	} bad[] = {
		{"revision 1", 8, 1, "revision 1, want 2 or later"},
		{"length 79", 4, 79, "79 bytes, want at least 80"},
		{"PL011 (type 3)", 36, 3, "interface type 0x3 is not a 16550"},
		{"16450 subset (type 1)", 36, 1, "interface type 0x1"},
		{"PCI config space", 40, 2, "address space 2"},
		{"qword access", 43, 4, "MMIO 0xfe000000: access size 4"},
		{"base 0", 44, 0, "base address 0"},
	};
	struct spcr_img s;
	struct uart u;
	char why[96];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		spcr_com2(&s);
		if (bad[i].off == 43) {
			s.gas_space = 0;
			s.gas_address = 0xfe000000;
		}
		if (bad[i].off == 44)
			s.gas_address = 0;
		else
			((u8 *)&s)[bad[i].off] = bad[i].value;
		why[0] = '\0';
		KT_EXPECT_ERRNO(t, spcr_uart(&s.h, &u, why, sizeof(why)),
				EINVAL);
		if (!KT_EXPECT(t, strncmp(why, bad[i].why,
					  strlen(bad[i].why)) == 0))
			kt_fail_note(t, "%s: \"%s\"", bad[i].what, why);
	}
}

static u8 byte_sum(const void *p, size_t n)
{
	const u8 *b = p;
	u8 s = 0;

	while (n--)
		s += *b++;
	return s;
}

/* An RSDP -> XSDT -> {FACP-like filler, SPCR} chain, checksummed. */
static struct {
	u8 rsdp[36];
	struct {
		struct acpi_header h;
		u64 entries[2];
	} __attribute__((packed)) xsdt;
	struct acpi_header other;
	struct spcr_img spcr;
} acpi;

static void acpi_build(void)
{
	u32 len = sizeof(acpi.rsdp);
	u64 xsdt = (u64)&acpi.xsdt;

	memset(&acpi, 0, sizeof(acpi));
	memcpy(acpi.rsdp, "RSD PTR ", 8);
	acpi.rsdp[15] = 2;
	memcpy(acpi.rsdp + 20, &len, 4);
	memcpy(acpi.rsdp + 24, &xsdt, 8);
	acpi.rsdp[8] = (u8)-byte_sum(acpi.rsdp, 20);
	acpi.rsdp[32] = (u8)-byte_sum(acpi.rsdp, 36);

	memcpy(acpi.other.signature, "FACP", 4);
	acpi.other.length = sizeof(acpi.other);
	acpi.other.checksum = (u8)-byte_sum(&acpi.other, sizeof(acpi.other));
	spcr_com2(&acpi.spcr);
	acpi.spcr.h.checksum = (u8)-byte_sum(&acpi.spcr, 80);

	memcpy(acpi.xsdt.h.signature, "XSDT", 4);
	acpi.xsdt.h.length = sizeof(acpi.xsdt);
	acpi.xsdt.h.revision = 1;
	acpi.xsdt.entries[0] = (u64)&acpi.other;
	acpi.xsdt.entries[1] = (u64)&acpi.spcr;
	acpi.xsdt.h.checksum = (u8)-byte_sum(&acpi.xsdt, sizeof(acpi.xsdt));
}

static void console_acpi_finds_spcr(struct kt *t)
{
	const struct acpi_header *h;
	const char *why = NULL;

	acpi_build();
	KT_EXPECT_OK(t, acpi_find(acpi.rsdp, "SPCR", &h, &why));
	KT_EXPECT(t, h == &acpi.spcr.h);
	KT_EXPECT_OK(t, acpi_find(acpi.rsdp, "FACP", &h, &why));
	KT_EXPECT(t, h == &acpi.other);
	KT_EXPECT_ERRNO(t, acpi_find(acpi.rsdp, "DBG2", &h, &why), ENOENT);
	KT_EXPECT(t, h == NULL);
}

/* Every checksum on the way is checked, and the RSDP's revision. */
static void console_acpi_checks(struct kt *t)
{
	const struct acpi_header *h;
	const char *why;

	acpi_build();
	acpi.spcr.baud = 6;
	KT_EXPECT_ERRNO(t, acpi_find(acpi.rsdp, "SPCR", &h, &why), EINVAL);
	KT_EXPECT_STR_EQ(t, why, "a table's checksum is wrong");

	acpi_build();
	acpi.xsdt.entries[1] ^= 1;
	KT_EXPECT_ERRNO(t, acpi_find(acpi.rsdp, "SPCR", &h, &why), EINVAL);
	KT_EXPECT_STR_EQ(t, why, "a table's checksum is wrong");

	acpi_build();
	acpi.rsdp[15] = 0; /* ACPI 1.0: an RSDT only */
	acpi.rsdp[8] += 2; /* both checksums still right */
	KT_EXPECT_ERRNO(t, acpi_find(acpi.rsdp, "SPCR", &h, &why), EINVAL);
	KT_EXPECT(t, !strncmp(why, "no XSDT", 7));

	acpi_build();
	acpi.rsdp[0] = 'r';
	KT_EXPECT_ERRNO(t, acpi_find(acpi.rsdp, "SPCR", &h, &why), EINVAL);
	KT_EXPECT(t, !strncmp(why, "the RSDP's signature", 20));
}

static const struct kt_case console_cases[] = {
	KT_CASE(console_uart_present),
	KT_CASE_IF(console_newline_becomes_crlf, need_loopback),
	KT_CASE_IF(console_kprintf_formats, need_loopback),
	KT_CASE(console_option_forms),
	KT_CASE(console_option_bad_forms),
	KT_CASE(console_spcr_decodes),
	KT_CASE(console_spcr_refuses),
	KT_CASE(console_acpi_finds_spcr),
	KT_CASE(console_acpi_checks),
};

const struct kt_suite console_suite = KT_SUITE("console", console_cases);
