/* SPDX-License-Identifier: MIT */
/*
 * hv/x86/insn_decode.h - a small x86-64 instruction decoder for the exits that
 * carry no instruction length. QEMU's TCG SVM writes neither next_rip nor
 * the DecodeAssists bytes: it offers neither feature (QEMU 7.2
 * target/i386/cpu.c TCG_SVM_FEATURES is NPT, VGIF and SVME_ADDR_CHK), so
 * the hypervisor reads the guest's bytes and decodes them here:
 *  - the instructions that reach the hypervisor as #UD or VMMCALL exits:
 *    VMMCALL and its F3/F2-prefixed form VMGEXIT, VMCALL, UD2, and the
 *    SEV-SNP and TDX instructions that a later emulation hooks into
 *    (PVALIDATE, RMPADJUST, RMPUPDATE, PSMASH, TDCALL, SEAMCALL);
 *  - the MOV forms a guest uses to touch memory, so that an access to a
 *    GPA without a memslot reports its size and can be completed.
 * 64-bit mode only. Pure function of the bytes: builds and is tested on
 * the host.
 */
#ifndef GMV_HV_X86_INSN_DECODE_H
#define GMV_HV_X86_INSN_DECODE_H

#include "lib/types.h"

/* The architectural limit on an instruction's length. */
#define INSN_MAX_LEN 15

enum insn_op {
	INSN_UNKNOWN,
	INSN_UD2, /* 0F 0B */
	INSN_VMMCALL, /* 0F 01 D9 */
	INSN_VMGEXIT, /* F3 0F 01 D9 (or F2) */
	INSN_VMCALL, /* 0F 01 C1 */
	INSN_PVALIDATE, /* F2 0F 01 FF */
	INSN_RMPADJUST, /* F3 0F 01 FE */
	INSN_RMPUPDATE, /* F2 0F 01 FE */
	INSN_PSMASH, /* F3 0F 01 FF */
	INSN_TDCALL, /* 66 0F 01 CC */
	INSN_SEAMCALL, /* 66 0F 01 CF */
	INSN_MOV_LOAD, /* 8A, 8B, 0F B6/B7 (MOVZX), 0F BE/BF (MOVSX) */
	INSN_MOV_STORE, /* 88, 89, C6 /0, C7 /0 */
	INSN_NR_OPS
};

struct insn {
	enum insn_op op;
	u8 len; /* bytes, prefixes included */
	/* MOV forms only: */
	u8 mem_size; /* bytes read or written in memory */
	u8 reg; /* register operand: 0 = rax ... 15 = r15 */
	u8 reg_size; /* width of the register operand in bytes */
	bool high_byte; /* the register is AH, CH, DH or BH */
	bool sign_extend; /* MOVSX */
	bool has_imm; /* store of an immediate (C6, C7) */
	u64 imm; /* the immediate, sign-extended to reg_size */
};

/*
 * Decode the instruction at buf[0..avail). Returns 0 with *out filled,
 * -EOPNOTSUPP for an instruction outside the set above (out->len is then
 * 0), or -EINVAL when the bytes end before the instruction does or it
 * would exceed INSN_MAX_LEN.
 */
int insn_decode(const u8 *buf, size_t avail, struct insn *out);

/* "PVALIDATE", "VMMCALL", ...; never NULL. */
const char *insn_op_name(enum insn_op op);

/* The value of the 64-bit register 'old' after a MOV load 'in' read
 * 'data' from memory (partial-register and extension rules applied). */
u64 insn_load_result(const struct insn *in, u64 old, u64 data);

/* The mem_size bytes a MOV store 'in' writes: its immediate, or its
 * register operand read from src, the 64-bit register in->reg. */
u64 insn_store_value(const struct insn *in, u64 src);

#endif
