/* SPDX-License-Identifier: MIT */
/*
 * boot/serial.h - the 16550 UART on COM1, the payload's console after
 * ExitBootServices. Owns the UART's register state; serial.c implements
 * plat_console_write() (lib/console.h) over it.
 */
#ifndef GMV_BOOT_SERIAL_H
#define GMV_BOOT_SERIAL_H

#include "lib/types.h"

#define COM1_BASE 0x3f8

/* 16550 registers, as offsets from the base port. */
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

/* 115200 8N1, FIFOs on, interrupts off. */
void serial_init(void);

/* Is a UART there? Checked through its scratch register. */
bool serial_present(void);

#endif
