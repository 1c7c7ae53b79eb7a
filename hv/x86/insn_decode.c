// SPDX-License-Identifier: MIT
/*
 * hv/x86/insn_decode.c - the small x86-64 decoder of hv/x86/insn_decode.h.
 * Encodings from the Intel SDM vol. 2 (prefixes, ModRM/SIB, MOV) and the
 * AMD APM vol. 3 (group-7 0F 01 /reg forms: VMMCALL, VMGEXIT, PVALIDATE,
 * RMPADJUST, RMPUPDATE, PSMASH); TDCALL and SEAMCALL from Intel's TDX
 * module ABI.
 */
#include "hv/x86/insn_decode.h"
#include "lib/errno.h"
#include "lib/mem.h"

/* The group-7 register forms 0F 01 xx recognised, by mandatory prefix. */
enum mand_prefix { MP_NONE, MP_66, MP_F2, MP_F3 };

struct grp7_form {
	u8 modrm;
	enum mand_prefix prefix;
	enum insn_op op;
};

static const struct grp7_form grp7_forms[] = {
	{0xd9, MP_NONE, INSN_VMMCALL}, {0xd9, MP_66, INSN_VMMCALL},
	{0xd9, MP_F3, INSN_VMGEXIT},   {0xd9, MP_F2, INSN_VMGEXIT},
	{0xc1, MP_NONE, INSN_VMCALL},  {0xff, MP_F2, INSN_PVALIDATE},
	{0xfe, MP_F3, INSN_RMPADJUST}, {0xfe, MP_F2, INSN_RMPUPDATE},
	{0xff, MP_F3, INSN_PSMASH},    {0xcc, MP_66, INSN_TDCALL},
	{0xcf, MP_66, INSN_SEAMCALL},
};

static const char *const op_names[INSN_NR_OPS] = {
	[INSN_UNKNOWN] = "unknown",	[INSN_UD2] = "UD2",
	[INSN_VMMCALL] = "VMMCALL",	[INSN_VMGEXIT] = "VMGEXIT",
	[INSN_VMCALL] = "VMCALL",	[INSN_PVALIDATE] = "PVALIDATE",
	[INSN_RMPADJUST] = "RMPADJUST", [INSN_RMPUPDATE] = "RMPUPDATE",
	[INSN_PSMASH] = "PSMASH",	[INSN_TDCALL] = "TDCALL",
	[INSN_SEAMCALL] = "SEAMCALL",	[INSN_MOV_LOAD] = "MOV load",
	[INSN_MOV_STORE] = "MOV store",
};

const char *insn_op_name(enum insn_op op)
{
	if ((unsigned int)op >= INSN_NR_OPS)
		return "invalid";
	return op_names[op];
}

/* Prefix state while decoding. */
struct prefixes {
	bool opsize; /* 66 */
	enum mand_prefix rep; /* the last F2/F3 seen */
	u8 rex; /* 0 or 40..4F */
};

static bool is_legacy_prefix(u8 b)
{
	switch (b) {
	case 0x26:
	case 0x2e:
	case 0x36:
	case 0x3e: /* segment overrides */
	case 0x64:
	case 0x65:
	case 0x66:
	case 0x67:
	case 0xf0:
	case 0xf2:
	case 0xf3:
		return true;
	default:
		return false;
	}
}

/*
 * Length of the ModRM byte and what follows it (SIB, displacement) for a
 * memory operand. 64-bit mode uses the 32-bit-style forms whatever the
 * address size, with mod=00 rm=101 meaning RIP+disp32.
 */
static unsigned int modrm_mem_len(const u8 *p, size_t avail)
{
	u8 modrm = p[0], mod = modrm >> 6, rm = modrm & 7;
	unsigned int n = 1;

	if (rm == 4) {
		if (avail < 2)
			return 0;
		n++;
		if (mod == 0 && (p[1] & 7) == 5)
			n += 4;
	} else if (mod == 0 && rm == 5) {
		n += 4;
	}
	if (mod == 1)
		n += 1;
	else if (mod == 2)
		n += 4;
	return n;
}

static u8 opsize_bytes(const struct prefixes *px)
{
	if (px->rex & 8)
		return 8;
	return px->opsize ? 2 : 4;
}

/* MOV and MOVZX/MOVSX with a memory operand. p points at the opcode. */
static int decode_mov(const u8 *p, size_t avail, const struct prefixes *px,
		      struct insn *out)
{
	bool two_byte = p[0] == 0x0f;
	u8 opc = two_byte ? p[1] : p[0];
	unsigned int oplen = two_byte ? 2 : 1, mlen, imm_len = 0;
	const u8 *m = p + oplen;
	u8 modrm;

	if (avail < oplen + 1)
		return -EINVAL;
	modrm = m[0];
	if ((modrm >> 6) == 3)
		return -EOPNOTSUPP; /* register form: no memory access */
	mlen = modrm_mem_len(m, avail - oplen);
	if (!mlen)
		return -EINVAL;

	out->reg = ((modrm >> 3) & 7) | ((px->rex & 4) ? 8 : 0);
	out->reg_size = opsize_bytes(px);
	if (two_byte) {
		/* 0F B6/BE: byte source; 0F B7/BF: word source. */
		out->op = INSN_MOV_LOAD;
		out->mem_size = (opc & 1) ? 2 : 1;
		out->sign_extend = opc >= 0xbe;
	} else {
		switch (opc) {
		case 0x88:
		case 0x8a:
		case 0xc6:
			out->mem_size = 1;
			out->reg_size = 1;
			break;
		default:
			out->mem_size = out->reg_size;
			break;
		}
		out->op = (opc == 0x8a || opc == 0x8b) ? INSN_MOV_LOAD
						       : INSN_MOV_STORE;
		if (opc == 0xc6 || opc == 0xc7) {
			if ((modrm >> 3) & 7)
				return -EOPNOTSUPP; /* only C6/C7 /0 is MOV */
			out->reg = 0;
			out->has_imm = true;
			imm_len = out->mem_size == 1   ? 1
				  : out->mem_size == 2 ? 2
						       : 4;
		}
	}
	/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
	if (out->reg_size == 1 && !px->rex && out->reg >= 4 && !out->has_imm) {
		out->high_byte = true;
		out->reg -= 4;
	}
	if (oplen + mlen + imm_len > avail)
		return -EINVAL;
	if (imm_len) {
		const u8 *ip = m + mlen;
		u64 v = 0;

		for (unsigned int i = 0; i < imm_len; i++)
			v |= (u64)ip[i] << (8 * i);
		/* Sign-extend the immediate to the operand size. */
		if (imm_len < 8 && (v >> (8 * imm_len - 1)) & 1)
			v |= ~0ULL << (8 * imm_len);
		if (out->mem_size < 8)
			v &= (1ULL << (8 * out->mem_size)) - 1;
		out->imm = v;
	}
	out->len = oplen + mlen + imm_len;
	return 0;
}

/* 0F 01 with a register-form ModRM byte. p points at the 0F. */
static int decode_grp7(const u8 *p, size_t avail, const struct prefixes *px,
		       struct insn *out)
{
	enum mand_prefix mp = px->rep != MP_NONE ? px->rep
			      : px->opsize	 ? MP_66
						 : MP_NONE;

	if (avail < 3)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(grp7_forms); i++) {
		if (grp7_forms[i].modrm == p[2] && grp7_forms[i].prefix == mp) {
			out->op = grp7_forms[i].op;
			out->len = 3;
			return 0;
		}
	}
	return -EOPNOTSUPP;
}

int insn_decode(const u8 *buf, size_t avail, struct insn *out)
{
	struct prefixes px = {0};
	size_t i = 0;
	const u8 *p;
	int ret;

	memset(out, 0, sizeof(*out));
	if (avail > INSN_MAX_LEN)
		avail = INSN_MAX_LEN;
	for (; i < avail && is_legacy_prefix(buf[i]); i++) {
		if (buf[i] == 0x66)
			px.opsize = true;
		else if (buf[i] == 0xf2)
			px.rep = MP_F2;
		else if (buf[i] == 0xf3)
			px.rep = MP_F3;
	}
	/* REX counts only directly before the opcode. */
	if (i < avail && (buf[i] & 0xf0) == 0x40)
		px.rex = buf[i++];
	if (i >= avail)
		return -EINVAL;

	p = buf + i;
	switch (p[0]) {
	case 0x0f:
		if (avail - i < 2)
			return -EINVAL;
		if (p[1] == 0x0b) {
			out->op = INSN_UD2;
			out->len = 2;
			ret = 0;
		} else if (p[1] == 0x01) {
			ret = decode_grp7(p, avail - i, &px, out);
		} else if (p[1] == 0xb6 || p[1] == 0xb7 || p[1] == 0xbe ||
			   p[1] == 0xbf) {
			ret = decode_mov(p, avail - i, &px, out);
		} else {
			ret = -EOPNOTSUPP;
		}
		break;
	case 0x88:
	case 0x89:
	case 0x8a:
	case 0x8b:
	case 0xc6:
	case 0xc7:
		ret = decode_mov(p, avail - i, &px, out);
		break;
	default:
		ret = -EOPNOTSUPP;
		break;
	}
	if (ret) {
		memset(out, 0, sizeof(*out));
		return ret;
	}
	out->len += i;
	return 0;
}

u64 insn_load_result(const struct insn *in, u64 old, u64 data)
{
	u64 v = data;

	if (in->mem_size < 8)
		v &= (1ULL << (8 * in->mem_size)) - 1;
	if (in->sign_extend && (v >> (8 * in->mem_size - 1)) & 1)
		v |= ~0ULL << (8 * in->mem_size);

	switch (in->reg_size) {
	case 1:
		if (in->high_byte)
			return (old & ~0xff00ULL) | ((v & 0xff) << 8);
		return (old & ~0xffULL) | (v & 0xff);
	case 2:
		return (old & ~0xffffULL) | (v & 0xffff);
	case 4:
		return v & 0xffffffffULL; /* 32-bit writes zero-extend */
	default:
		return v;
	}
}

u64 insn_store_value(const struct insn *in, u64 src)
{
	u64 val = in->has_imm ? in->imm : src;

	if (in->high_byte)
		val >>= 8;
	return in->mem_size < 8 ? val & ((1ULL << (8 * in->mem_size)) - 1)
				: val;
}
