// SPDX-License-Identifier: MIT
/*
 * tests/payload/console_test.c - boot.console: the COM1 UART is there and
 * the console path (kprintf -> plat_console_write -> UART) sends the right
 * bytes. Output is looped back inside the UART (MCR loopback) and read
 * from its receive FIFO, so nothing reaches the serial line meanwhile.
 */
#include "boot/cpu.h"
#include "boot/serial.h"
#include "lib/console.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/payload/boot_tests.h"

#define UART_FIFO 16

static u8 uart_in(unsigned int reg)
{
	return inb(COM1_BASE + reg);
}

static void uart_out(unsigned int reg, u8 v)
{
	outb(COM1_BASE + reg, v);
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
	for (int i = 0; i < 1000000 && !(uart_in(UART_LSR) & 0x40); i++)
		;
	got = drain(buf, n);
	uart_out(UART_MCR, mcr);
	return got;
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

static const struct kt_case console_cases[] = {
	KT_CASE(console_uart_present),
	KT_CASE(console_newline_becomes_crlf),
	KT_CASE(console_kprintf_formats),
};

const struct kt_suite console_suite = KT_SUITE("console", console_cases);
