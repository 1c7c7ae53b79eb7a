// SPDX-License-Identifier: MIT
/* boot/serial.c - polled output on the COM1 16550 (see boot/serial.h). */
#include "boot/serial.h"
#include "boot/cpu.h"
#include "lib/console.h"

/* 1.8432 MHz / 16 = 115200 baud at divisor 1. */
#define UART_DIVISOR 1
#define UART_FCR_ON_CLEAR 0x07 /* enable, clear RX and TX FIFOs */
/* Bound on polls of LSR per byte, so a missing or wedged UART never hangs
 * the run (an absent port reads 0xff, which looks ready anyway). */
#define UART_SPIN_LIMIT 100000

void serial_init(void)
{
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_LCR, UART_LCR_DLAB);
	outb(COM1_BASE + UART_DATA, UART_DIVISOR & 0xff);
	outb(COM1_BASE + UART_IER, UART_DIVISOR >> 8);
	outb(COM1_BASE + UART_LCR, UART_LCR_8N1);
	outb(COM1_BASE + UART_FCR, UART_FCR_ON_CLEAR);
	outb(COM1_BASE + UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
}

bool serial_present(void)
{
	static const u8 probe[] = { 0x5a, 0xa5 };
	u8 saved = inb(COM1_BASE + UART_SCR);
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(probe); i++) {
		outb(COM1_BASE + UART_SCR, probe[i]);
		ok &= inb(COM1_BASE + UART_SCR) == probe[i];
	}
	outb(COM1_BASE + UART_SCR, saved);
	return ok;
}

static void serial_putc(char c)
{
	for (int i = 0; i < UART_SPIN_LIMIT; i++)
		if (inb(COM1_BASE + UART_LSR) & UART_LSR_THRE)
			break;
	outb(COM1_BASE + UART_DATA, (u8)c);
}

void plat_console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}
