#!/usr/bin/env python3
"""Write an ACPI SPCR table (revision 2, 80 bytes) for QEMU's -acpitable.

usage: spcr-table.py OUT TYPE SPACE ADDRESS BAUD_CODE [BIT_WIDTH ACCESS_SIZE]
  TYPE         interface type (0 = 16550, 0x12 = 16550 with a GAS, 3 = PL011)
  SPACE        GAS address space: 0 system memory, 1 system I/O
  ADDRESS      register base (I/O port or physical address)
  BAUD_CODE    Configured Baud Rate code (7 = 115200, 0 = as is)
  BIT_WIDTH    GAS register bit width (default 8)
  ACCESS_SIZE  GAS access size: 1 byte (default), 2 word, 3 dword

Layout: Microsoft's "Serial Port Console Redirection Table" spec (header,
Interface Type at 36, Base Address GAS at 40, Baud Rate at 58) and ACPI
6.5 section 5.2.3.2 (GAS: space, bit width, bit offset, access size,
address). The checksum makes all 80 bytes sum to 0 (ACPI 6.5 5.2.6).
"""
import struct
import sys

if len(sys.argv) not in (6, 8):
    sys.exit(__doc__)
out = sys.argv[1]
itype, space, address, baud = (int(a, 0) for a in sys.argv[2:6])
width, access = (int(a, 0) for a in sys.argv[6:8]) if len(sys.argv) == 8 else (8, 1)

header = struct.pack("<4sIBB6s8sI4sI", b"SPCR", 80, 2, 0, b"GMVTST",
                     b"GMVSPCR ", 1, b"GMVT", 1)
# Interface type, reserved, GAS.
body = struct.pack("<B3xBBBBQ", itype, space, width, 0, access, address)
# Interrupt type (none), IRQ, GSI, baud, parity, stop bits, flow control,
# terminal type (VT100), language, PCI device and vendor (0xffff: not a
# PCI device), bus, device, function, flags, segment, reserved.
body += struct.pack("<BBIBBBBBBHHBBBIBI", 0, 0, 0, baud, 0, 1, 0, 0, 0,
                    0xFFFF, 0xFFFF, 0, 0, 0, 0, 0, 0)
table = bytearray(header + body)
assert len(table) == 80, len(table)
table[9] = (-sum(table)) & 0xFF
with open(out, "wb") as f:
    f.write(table)
