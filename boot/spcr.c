// SPDX-License-Identifier: MIT
/*
 * boot/spcr.c - the UART the ACPI SPCR table names (see boot/spcr.h).
 *
 * Microsoft, "Serial Port Console Redirection Table" (revision 4): after
 * the ACPI header, Interface Type at byte 36 (from revision 2, a DBG2
 * serial port subtype: 0x00 fully 16550-compatible, 0x12 16550-compatible
 * with its parameters in the Generic Address Structure), the Base Address
 * as a GAS at byte 40 (0 when redirection is off), the Configured Baud
 * Rate at byte 58 (0 as is, 3 9600, 4 19200, 6 57600, 7 115200), from
 * revision 3 the UART Clock Frequency at byte 76 (0 unknown), from
 * revision 4 the Precise Baud Rate at byte 80 (0 none, else it overrides
 * the Configured Baud Rate).
 *
 * ACPI 6.5 section 5.2.3.2 (Generic Address Structure): Address Space ID
 * (0 system memory, 1 system I/O), Register Bit Width, Register Bit
 * Offset, Access Size (0 undefined, 1 byte, 2 word, 3 dword, 4 qword),
 * then the 64-bit address.
 */
#include "boot/spcr.h"
#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define SPCR_INTERFACE 36
#define SPCR_BASE 40
#define SPCR_BAUD 58
#define SPCR_CLOCK 76
#define SPCR_PRECISE_BAUD 80
#define SPCR_V2_LEN 80

#define SPCR_16550 0x00
#define SPCR_16550_GAS 0x12

#define GAS_MEMORY 0
#define GAS_IO 1

struct gas {
	u8 space;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} __attribute__((packed));

static u32 field32(const u8 *t, size_t off)
{
	u32 v;

	memcpy(&v, t + off, sizeof(v));
	return v;
}

/* The Configured Baud Rate code; codes the spec does not define are
 * taken as 0, "as is", which keeps the firmware's setting. */
static u32 baud_of(u8 code)
{
	switch (code) {
	case 3:
		return 9600;
	case 4:
		return 19200;
	case 6:
		return 57600;
	case 7:
		return 115200;
	default:
		return 0;
	}
}

/*
 * Bytes per register access of an MMIO UART: the GAS Access Size; where
 * that is undefined (0), the Register Bit Width. Registers lie that many
 * bytes apart, as Linux's mmio16/mmio32 earlycons take them. 0 for a
 * 64-bit access, which no 16550 needs.
 */
static u8 mmio_width(const struct gas *g)
{
	switch (g->access_size) {
	case 1:
		return 1;
	case 2:
		return 2;
	case 3:
		return 4;
	case 4:
		return 0;
	}
	return g->bit_width == 32 ? 4 : g->bit_width == 16 ? 2 : 1;
}

int spcr_uart(const struct acpi_header *t, struct uart *u, char *why, size_t n)
{
	const u8 *b = (const u8 *)t;
	struct gas g;
	u32 v;

	if (t->revision < 2) {
		gmv_snprintf(why, n, "revision %u, want 2 or later",
			     t->revision);
		return -EINVAL;
	}
	if (t->length < SPCR_V2_LEN) {
		gmv_snprintf(why, n, "%u bytes, want at least %u", t->length,
			     SPCR_V2_LEN);
		return -EINVAL;
	}
	if (b[SPCR_INTERFACE] != SPCR_16550 &&
	    b[SPCR_INTERFACE] != SPCR_16550_GAS) {
		gmv_snprintf(why, n,
			     "interface type %#x is not a 16550 (0x0 or 0x12)",
			     b[SPCR_INTERFACE]);
		return -EINVAL;
	}
	memcpy(&g, b + SPCR_BASE, sizeof(g));
	memset(u, 0, sizeof(*u));
	u->base = g.address;
	if (!g.address) {
		gmv_snprintf(why, n, "base address 0: redirection is off");
		return -EINVAL;
	}
	if (g.space == GAS_IO) {
		if (g.address > 0xfff8) {
			gmv_snprintf(why, n, "I/O port %#llx is out of range",
				     (unsigned long long)g.address);
			return -EINVAL;
		}
		u->space = UART_IO;
		u->width = 1;
	} else if (g.space == GAS_MEMORY) {
		u->space = UART_MMIO;
		u->width = mmio_width(&g);
		if (!u->width || !IS_ALIGNED(g.address, u->width)) {
			gmv_snprintf(why, n,
				     "MMIO %#llx: access size %u, bit width %u "
				     "not usable",
				     (unsigned long long)g.address,
				     g.access_size, g.bit_width);
			return -EINVAL;
		}
	} else {
		gmv_snprintf(why, n,
			     "address space %u is neither memory nor I/O",
			     g.space);
		return -EINVAL;
	}
	u->baud = baud_of(b[SPCR_BAUD]);
	u->clock = UART_CLOCK_PC;
	if (t->revision >= 3 && (v = field32(b, SPCR_CLOCK)))
		u->clock = v;
	if (t->revision >= 4 && t->length >= SPCR_PRECISE_BAUD + 4 &&
	    (v = field32(b, SPCR_PRECISE_BAUD)))
		u->baud = v;
	return 0;
}
