/* SPDX-License-Identifier: MIT */
/*
 * lib/portio.h - x86 port I/O, for the payload (boot/) and the test
 * guests (which run with IOPL=3). Owns nothing but the instructions.
 */
#ifndef GMV_LIB_PORTIO_H
#define GMV_LIB_PORTIO_H

#include "lib/types.h"

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif
