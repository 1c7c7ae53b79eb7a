// SPDX-License-Identifier: MIT
/*
 * tests/common/insn_decode_test.c - the #UD/MMIO instruction decoder
 * (hv/x86/insn_decode.h) and the SVM exit-code names: lengths and names of the
 * SEV-SNP and TDX instructions, prefixed forms, MOV operand decoding,
 * truncated input, and the partial-register rules of a completed load.
 */
#include "hv/x86/insn_decode.h"
#include "hv/svm/svm_vmcb.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/suites.h"

struct decode_row {
	u8 bytes[INSN_MAX_LEN];
	u8 n;
	enum insn_op op;
	u8 len;
	const char *name;
};

/* Encodings from the APM vol. 3 / TDX module ABI, with trailing bytes that
 * must not count towards the length. */
static const struct decode_row special_rows[] = {
	{{0x0f, 0x01, 0xd9, 0x90}, 4, INSN_VMMCALL, 3, "VMMCALL"},
	{{0xf3, 0x0f, 0x01, 0xd9, 0xcc}, 5, INSN_VMGEXIT, 4, "VMGEXIT"},
	{{0xf2, 0x0f, 0x01, 0xd9}, 4, INSN_VMGEXIT, 4, "VMGEXIT"},
	{{0x0f, 0x01, 0xc1}, 3, INSN_VMCALL, 3, "VMCALL"},
	{{0xf2, 0x0f, 0x01, 0xff, 0x90}, 5, INSN_PVALIDATE, 4, "PVALIDATE"},
	{{0xf3, 0x0f, 0x01, 0xfe}, 4, INSN_RMPADJUST, 4, "RMPADJUST"},
	{{0xf2, 0x0f, 0x01, 0xfe}, 4, INSN_RMPUPDATE, 4, "RMPUPDATE"},
	{{0xf3, 0x0f, 0x01, 0xff}, 4, INSN_PSMASH, 4, "PSMASH"},
	{{0x66, 0x0f, 0x01, 0xcc, 0x0f}, 5, INSN_TDCALL, 4, "TDCALL"},
	{{0x66, 0x0f, 0x01, 0xcf}, 4, INSN_SEAMCALL, 4, "SEAMCALL"},
	{{0x0f, 0x0b, 0x0f, 0x0b}, 4, INSN_UD2, 2, "UD2"},
	/* A segment override and a REX before the opcode count too. */
	{{0x2e, 0xf2, 0x0f, 0x01, 0xff}, 5, INSN_PVALIDATE, 5, "PVALIDATE"},
	{{0x48, 0x0f, 0x01, 0xd9}, 4, INSN_VMMCALL, 4, "VMMCALL"},
	/* The last of F2/F3 is the mandatory prefix. */
	{{0xf2, 0xf3, 0x0f, 0x01, 0xfe}, 5, INSN_RMPADJUST, 5, "RMPADJUST"},
};

static void decode_sev_tdx_lengths_and_names(struct kt *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(special_rows); i++) {
		const struct decode_row *r = &special_rows[i];
		struct insn in;

		KT_EXPECT_OK(t, insn_decode(r->bytes, r->n, &in));
		KT_EXPECT_EQ(t, in.op, r->op);
		KT_EXPECT_EQ(t, in.len, r->len);
		KT_EXPECT_STR_EQ(t, insn_op_name(in.op), r->name);
	}
}

static void decode_rejects_unknown_and_truncated(struct kt *t)
{
	static const u8 nop[] = {0x90};
	static const u8 vmrun[] = {0x0f, 0x01, 0xd8};
	static const u8 pvalidate_cut[] = {0xf2, 0x0f, 0x01};
	static const u8 prefixes_only[] = {0x66, 0x66, 0xf3};
	/* TDCALL's bytes without the 66 prefix are no instruction we know. */
	static const u8 bare_cc[] = {0x0f, 0x01, 0xcc};
	u8 long_run[INSN_MAX_LEN + 4];
	struct insn in;

	KT_EXPECT_ERRNO(t, insn_decode(nop, sizeof(nop), &in), EOPNOTSUPP);
	KT_EXPECT_EQ(t, in.len, 0);
	KT_EXPECT_EQ(t, in.op, INSN_UNKNOWN);
	KT_EXPECT_ERRNO(t, insn_decode(vmrun, sizeof(vmrun), &in), EOPNOTSUPP);
	KT_EXPECT_ERRNO(t, insn_decode(bare_cc, sizeof(bare_cc), &in),
			EOPNOTSUPP);
	KT_EXPECT_ERRNO(t,
			insn_decode(pvalidate_cut, sizeof(pvalidate_cut), &in),
			EINVAL);
	KT_EXPECT_ERRNO(t,
			insn_decode(prefixes_only, sizeof(prefixes_only), &in),
			EINVAL);
	KT_EXPECT_ERRNO(t, insn_decode(nop, 0, &in), EINVAL);
	/* 15 prefixes leave no room for the opcode. */
	memset(long_run, 0x66, sizeof(long_run));
	long_run[INSN_MAX_LEN] = 0x0f;
	long_run[INSN_MAX_LEN + 1] = 0x01;
	long_run[INSN_MAX_LEN + 2] = 0xd9;
	KT_EXPECT_ERRNO(t, insn_decode(long_run, sizeof(long_run), &in),
			EINVAL);
	KT_EXPECT_STR_EQ(t, insn_op_name(INSN_NR_OPS), "invalid");
}

struct mov_row {
	u8 bytes[INSN_MAX_LEN];
	u8 n;
	enum insn_op op;
	u8 len, mem_size, reg, reg_size;
	bool high_byte, sign_extend, has_imm;
	u64 imm;
};

#define MOV_ROW(b, o, l, ms, r, rs, ...)                              \
	{                                                             \
		.bytes = b, .n = sizeof((u8[])b), .op = o, .len = l,  \
		.mem_size = ms, .reg = r, .reg_size = rs, __VA_ARGS__ \
	}
#define B(...)              \
	{                   \
		__VA_ARGS__ \
	}

static const struct mov_row mov_rows[] = {
	/* mov [rax], ecx */
	MOV_ROW(B(0x89, 0x08), INSN_MOV_STORE, 2, 4, 1, 4),
	/* mov rdx, [rip + 0x12345678] */
	MOV_ROW(B(0x48, 0x8b, 0x15, 0x78, 0x56, 0x34, 0x12), INSN_MOV_LOAD, 7,
		8, 2, 8),
	/* mov r9w, [rbx + rsi*4 + 0x10] */
	MOV_ROW(B(0x66, 0x44, 0x8b, 0x4c, 0xb3, 0x10), INSN_MOV_LOAD, 6, 2, 9,
		2),
	/* mov [rsp + 0x100], bh: SIB + disp32, high byte register */
	MOV_ROW(B(0x88, 0xbc, 0x24, 0x00, 0x01, 0x00, 0x00), INSN_MOV_STORE, 7,
		1, 3, 1, .high_byte = true),
	/* mov [rax], sil: REX makes reg 6 SIL, not DH */
	MOV_ROW(B(0x40, 0x88, 0x30), INSN_MOV_STORE, 3, 1, 6, 1),
	/* movzx eax, byte [rdi] */
	MOV_ROW(B(0x0f, 0xb6, 0x07), INSN_MOV_LOAD, 3, 1, 0, 4),
	/* movsx rcx, word [rbp - 8] */
	MOV_ROW(B(0x48, 0x0f, 0xbf, 0x4d, 0xf8), INSN_MOV_LOAD, 5, 2, 1, 8,
		.sign_extend = true),
	/* mov dword [rbx], 0x80000001 */
	MOV_ROW(B(0xc7, 0x03, 0x01, 0x00, 0x00, 0x80), INSN_MOV_STORE, 6, 4, 0,
		4, .has_imm = true, .imm = 0x80000001),
	/* mov qword [rbx], -2 (imm32 sign-extended) */
	MOV_ROW(B(0x48, 0xc7, 0x03, 0xfe, 0xff, 0xff, 0xff), INSN_MOV_STORE, 7,
		8, 0, 8, .has_imm = true, .imm = 0xfffffffffffffffeULL),
	/* mov word [rax + 4], 0x1234 */
	MOV_ROW(B(0x66, 0xc7, 0x40, 0x04, 0x34, 0x12), INSN_MOV_STORE, 6, 2, 0,
		2, .has_imm = true, .imm = 0x1234),
	/* mov byte [0x1000], 0xab: SIB without base, disp32, imm8 */
	MOV_ROW(B(0xc6, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00, 0xab),
		INSN_MOV_STORE, 8, 1, 0, 1, .has_imm = true, .imm = 0xab),
	/* mov eax, [rsp]: SIB with a base, no displacement, nothing after */
	MOV_ROW(B(0x8b, 0x04, 0x24), INSN_MOV_LOAD, 3, 4, 0, 4),
	/* mov eax, [rsp] again, the bytes after it not part of it */
	MOV_ROW(B(0x8b, 0x04, 0x24, 0x90, 0x90, 0x90, 0x90), INSN_MOV_LOAD, 3,
		4, 0, 4),
	/* mov eax, [rbp + rcx*4 + 8]: SIB base 5 with mod 01 is rbp + disp8 */
	MOV_ROW(B(0x8b, 0x44, 0x8d, 0x08, 0x90, 0x90, 0x90, 0x90),
		INSN_MOV_LOAD, 4, 4, 0, 4),
	/* mov [rax], esp: register 4 is ESP, not AH, outside byte forms */
	MOV_ROW(B(0x89, 0x20), INSN_MOV_STORE, 2, 4, 4, 4),
	/* mov [rax], cl: byte registers 0-3 are the low bytes */
	MOV_ROW(B(0x88, 0x08), INSN_MOV_STORE, 2, 1, 1, 1),
	/* mov al, [rax]: a byte load */
	MOV_ROW(B(0x8a, 0x00), INSN_MOV_LOAD, 2, 1, 0, 1),
	/* movzx eax, word [rdi] */
	MOV_ROW(B(0x0f, 0xb7, 0x07), INSN_MOV_LOAD, 3, 2, 0, 4),
	/* movsx eax, byte [rdi] */
	MOV_ROW(B(0x0f, 0xbe, 0x07), INSN_MOV_LOAD, 3, 1, 0, 4,
		.sign_extend = true),
	/* mov qword [rbx], 1: a positive imm32 is not sign-extended, and the
	 * byte after the instruction is not part of the immediate */
	MOV_ROW(B(0x48, 0xc7, 0x03, 0x01, 0x00, 0x00, 0x00, 0xff),
		INSN_MOV_STORE, 7, 8, 0, 8, .has_imm = true, .imm = 1),
};

static void decode_mov_operands(struct kt *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(mov_rows); i++) {
		const struct mov_row *r = &mov_rows[i];
		struct insn in;

		if (!KT_EXPECT_OK(t, insn_decode(r->bytes, r->n, &in)))
			continue;
		KT_EXPECT_EQ(t, in.op, r->op);
		KT_EXPECT_EQ(t, in.len, r->len);
		KT_EXPECT_EQ(t, in.mem_size, r->mem_size);
		KT_EXPECT_EQ(t, in.reg, r->reg);
		KT_EXPECT_EQ(t, in.reg_size, r->reg_size);
		KT_EXPECT_EQ(t, in.high_byte, r->high_byte);
		KT_EXPECT_EQ(t, in.sign_extend, r->sign_extend);
		KT_EXPECT_EQ(t, in.has_imm, r->has_imm);
		KT_EXPECT_EQ(t, in.imm, r->imm);
	}
}

static void decode_mov_rejects_register_forms(struct kt *t)
{
	static const u8 mov_reg[] = {0x89, 0xc8}; /* mov eax, ecx */
	static const u8 c7_not_mov[] = {0xc7, 0x08, 1, 0, 0, 0}; /* /1 */
	static const u8 disp_cut[] = {0x8b, 0x80, 0x00, 0x10};
	static const u8 sib_cut[] = {0x8b, 0x04};
	/* Only the opcode is available; the ModRM byte after it is not. */
	static const u8 modrm_cut[] = {0x8b, 0xc0};
	static const u8 modrm_cut_0f[] = {0x0f, 0xb6, 0xc0};
	static const u8 ud2[] = {0x0f, 0x0b};
	struct insn in;

	KT_EXPECT_ERRNO(t, insn_decode(mov_reg, sizeof(mov_reg), &in),
			EOPNOTSUPP);
	KT_EXPECT_ERRNO(t, insn_decode(c7_not_mov, sizeof(c7_not_mov), &in),
			EOPNOTSUPP);
	KT_EXPECT_ERRNO(t, insn_decode(disp_cut, sizeof(disp_cut), &in),
			EINVAL);
	/* A ModRM byte saying a SIB byte follows, and no SIB byte. */
	KT_EXPECT_ERRNO(t, insn_decode(sib_cut, sizeof(sib_cut), &in), EINVAL);
	KT_EXPECT_ERRNO(t, insn_decode(modrm_cut, 1, &in), EINVAL);
	KT_EXPECT_ERRNO(t, insn_decode(modrm_cut_0f, 2, &in), EINVAL);
	/* A two-byte instruction with exactly its two bytes available. */
	KT_EXPECT_OK(t, insn_decode(ud2, sizeof(ud2), &in));
	KT_EXPECT_EQ(t, in.op, INSN_UD2);
	KT_EXPECT_EQ(t, in.len, 2);
}

static void decode_load_result_rules(struct kt *t)
{
	const u64 old = 0x1122334455667788ULL;
	struct insn in = { .op = INSN_MOV_LOAD };

	in.mem_size = in.reg_size = 1;
	KT_EXPECT_EQ(t, insn_load_result(&in, old, 0xab),
		     0x11223344556677abULL);
	in.high_byte = true;
	KT_EXPECT_EQ(t, insn_load_result(&in, old, 0xab),
		     0x112233445566ab88ULL);
	in.high_byte = false;
	in.mem_size = in.reg_size = 2;
	KT_EXPECT_EQ(t, insn_load_result(&in, old, 0xbeef),
		     0x112233445566beefULL);
	in.mem_size = in.reg_size = 4;
	/* 32-bit loads zero-extend into the whole register. */
	KT_EXPECT_EQ(t, insn_load_result(&in, old, 0xdeadbeefcafeULL),
		     0xbeefcafeULL);
	in.mem_size = 1;
	in.reg_size = 8;
	in.sign_extend = true;
	KT_EXPECT_EQ(t, insn_load_result(&in, old, 0x80),
		     0xffffffffffffff80ULL);
	/* Sign extension copies the top bit, which may be clear. */
	KT_EXPECT_EQ(t, insn_load_result(&in, old, 0x7f), 0x7f);
	in.sign_extend = false;
	KT_EXPECT_EQ(t, insn_load_result(&in, old, 0x80), 0x80);
	/* A 64-bit store gives every bit of the register. */
	in.op = INSN_MOV_STORE;
	in.mem_size = in.reg_size = 8;
	KT_EXPECT_EQ(t, insn_store_value(&in, 0xfedcba9876543210ULL),
		     0xfedcba9876543210ULL);
	in.mem_size = in.reg_size = 2;
	KT_EXPECT_EQ(t, insn_store_value(&in, 0xfedcba9876543210ULL), 0x3210);
	in.op = INSN_MOV_LOAD;
	/* A 64-bit load takes every bit of the data. */
	in.mem_size = in.reg_size = 8;
	KT_EXPECT_EQ(t, insn_load_result(&in, old, 0xfedcba9876543210ULL),
		     0xfedcba9876543210ULL);
}

static void svm_exit_code_names(struct kt *t)
{
	KT_EXPECT_STR_EQ(t, svm_exit_name(SVM_EXIT_NPF), "NPF");
	KT_EXPECT_STR_EQ(t, svm_exit_name(SVM_EXIT_VMMCALL), "VMMCALL");
	KT_EXPECT_STR_EQ(t, svm_exit_name(SVM_EXIT_IOIO), "IOIO");
	KT_EXPECT_STR_EQ(t, svm_exit_name(SVM_EXIT_HLT), "HLT");
	KT_EXPECT_STR_EQ(t, svm_exit_name(SVM_EXIT_SHUTDOWN), "SHUTDOWN");
	KT_EXPECT_STR_EQ(t, svm_exit_name(SVM_EXIT_INTR), "INTR");
	KT_EXPECT_STR_EQ(t, svm_exit_name(SVM_EXIT_VMGEXIT), "VMGEXIT");
	KT_EXPECT_STR_EQ(t, svm_exit_name(0xa5), "BUSLOCK");
	KT_EXPECT_STR_EQ(t, svm_exit_name(SVM_EXIT_EXCP_BASE + X86_VEC_UD),
			 "EXCP_UD");
	KT_EXPECT_STR_EQ(t, svm_exit_name(SVM_EXIT_EXCP_BASE + 15), "EXCP");
	KT_EXPECT_STR_EQ(t, svm_exit_name(0x13), "CR_WRITE");
	/* QEMU's zero-extended VMEXIT_INVALID and the APM's -1 alike. */
	KT_EXPECT_STR_EQ(t, svm_exit_name(0xffffffffULL), "VMEXIT_INVALID");
	KT_EXPECT_STR_EQ(t, svm_exit_name(~0ULL), "VMEXIT_INVALID");
	KT_EXPECT_STR_EQ(t, svm_exit_name(0x3ff), "UNKNOWN");
	KT_EXPECT_STR_EQ(t, svm_exit_name(0x404), "UNKNOWN");
}

static const struct kt_case insn_decode_cases[] = {
	KT_CASE(decode_sev_tdx_lengths_and_names),
	KT_CASE(decode_rejects_unknown_and_truncated),
	KT_CASE(decode_mov_operands),
	KT_CASE(decode_mov_rejects_register_forms),
	KT_CASE(decode_load_result_rules),
	KT_CASE(svm_exit_code_names),
};

const struct kt_suite insn_decode_suite =
	KT_SUITE("insn_decode", insn_decode_cases);
