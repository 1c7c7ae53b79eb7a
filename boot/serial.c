// SPDX-License-Identifier: MIT
/* boot/serial.c - polled output on a 16550 UART (see boot/serial.h). */
#include "boot/serial.h"
#include "lib/portio.h"

#define UART_FCR_ON_CLEAR 0x07 /* enable, clear RX and TX FIFOs */
/* Polls of LSR per byte: ~100 ms of port reads, far over a byte time
 * even at 9600 baud (~1 ms). An absent port reads 0xff, which looks
 * ready anyway; absent memory may read 0, which never does. */
#define UART_SPIN_LIMIT 100000

static struct uart uart = {
	.space = UART_IO,
	.base = COM1_BASE,
	.width = 1,
	.baud = 115200,
	.clock = UART_CLOCK_PC,
};
static bool stuck; /* a poll for room ran out */

u8 serial_in(unsigned int reg)
{
	u64 a = uart.base + (u64)reg * uart.width;

	if (uart.space == UART_IO)
		return inb((u16)a);
	switch (uart.width) {
	case 4:
		return (u8) * (volatile u32 *)a;
	case 2:
		return (u8) * (volatile u16 *)a;
	default:
		return *(volatile u8 *)a;
	}
}

void serial_out(unsigned int reg, u8 v)
{
	u64 a = uart.base + (u64)reg * uart.width;

	if (uart.space == UART_IO) {
		outb((u16)a, v);
		return;
	}
	switch (uart.width) {
	case 4:
		*(volatile u32 *)a = v;
		break;
	case 2:
		*(volatile u16 *)a = v;
		break;
	default:
		*(volatile u8 *)a = v;
	}
}

void serial_init(const struct uart *u)
{
	u64 div = 0;

	uart = *u;
	stuck = false;
	if (u->baud)
		div = (u->clock + 8ULL * u->baud) / (16ULL * u->baud);
	serial_out(UART_IER, 0);
	if (div && div <= 0xffff) {
		serial_out(UART_LCR, UART_LCR_DLAB);
		serial_out(UART_DATA, div & 0xff);
		serial_out(UART_IER, div >> 8);
	}
	serial_out(UART_LCR, UART_LCR_8N1);
	serial_out(UART_FCR, UART_FCR_ON_CLEAR);
	serial_out(UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
}

const struct uart *serial_uart(void)
{
	return &uart;
}

bool serial_present(void)
{
	static const u8 probe[] = {0x5a, 0xa5};
	u8 saved = serial_in(UART_SCR);
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(probe); i++) {
		serial_out(UART_SCR, probe[i]);
		ok &= serial_in(UART_SCR) == probe[i];
	}
	serial_out(UART_SCR, saved);
	return ok;
}

void serial_putc(char c)
{
	int i = 0;

	if (!stuck) {
		while (!(serial_in(UART_LSR) & UART_LSR_THRE))
			if (++i == UART_SPIN_LIMIT) {
				stuck = true;
				break;
			}
	}
	serial_out(UART_DATA, (u8)c);
}
