/* SPDX-License-Identifier: MIT */
/*
 * boot/serial.h - the 16550-compatible UART that carries the payload's
 * console, at an I/O port or in memory (MMIO). Owns that UART's register
 * state; which UART it is is boot/console.c's choice.
 */
#ifndef GMV_BOOT_SERIAL_H
#define GMV_BOOT_SERIAL_H

#include "lib/types.h"

#define COM1_BASE 0x3f8
#define COM2_BASE 0x2f8
/* The PC UART's input clock, 1.8432 MHz: divisor 1 is 115200 baud. */
#define UART_CLOCK_PC 1843200

enum uart_space {
	UART_NONE, /* no UART described */
	UART_IO, /* registers at I/O ports, one byte each */
	UART_MMIO, /* registers in memory, width bytes apart */
};

/* Where a UART's registers are and how to drive it. */
struct uart {
	enum uart_space space;
	u64 base; /* I/O port or physical address of register 0 */
	u8 width; /* bytes per register access and between registers: 1, 2
		   * or 4 (always 1 for UART_IO) */
	u32 baud; /* 0: keep the divisor the firmware set */
	u32 clock; /* input clock in Hz, for the divisor */
};

/* 16550 registers, numbered as in the datasheet (offset / width). */
#define UART_DATA 0 /* RBR on read, THR on write; DLL with LCR.DLAB */
#define UART_IER 1 /* DLM with LCR.DLAB */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_LOOP 0x10
#define UART_LSR_DR 0x01 /* a received byte is waiting */
#define UART_LSR_THRE 0x20 /* the transmit holding register is empty */
#define UART_LSR_TEMT 0x40 /* transmitter empty: the last bit went out */

/*
 * Make u the console UART and program it: 8N1, FIFOs on, interrupts off,
 * the divisor for u->baud at u->clock (rounded; a rate the clock cannot
 * make keeps the firmware's divisor).
 */
void serial_init(const struct uart *u);

/* The UART serial_init() was last given. */
const struct uart *serial_uart(void);

/* Is a UART there? Checked through its scratch register. */
bool serial_present(void);

/* Read and write one register of the console UART. */
u8 serial_in(unsigned int reg);
void serial_out(unsigned int reg, u8 v);

/*
 * Send one byte, polling for room first. The poll is bounded, so a missing
 * or wedged UART never hangs the run; once a poll has run out, the UART
 * is not waited for again (a real one has room within a byte time).
 */
void serial_putc(char c);

#endif
