/* SPDX-License-Identifier: MIT */
/*
 * hv/tdx/tdx_model_int.h - the software TDX module's layout
 * (hv/tdx/tdx_model.c): PAMT entries, S-EPT tables, TDs. For the model and
 * for white-box tests of its invariant checker; nothing else looks inside.
 */
#ifndef GMV_HV_TDX_TDX_MODEL_INT_H
#define GMV_HV_TDX_TDX_MODEL_INT_H

#include "hv/base/sha384.h"
#include "hv/tdx/tdx_module.h"

#define TDX_ENTRIES 512
#define TDX_MAX_TDS 64

/* One PAMT entry per 4 KiB page of the range (the module's PAMT keeps
 * type, owner and BEPOCH per page at each page size). level 1: the page
 * is part of a 2 MiB page whose first 4 KiB entry holds bepoch. */
struct tdx_pamt {
	u8 type; /* enum tdx_page_type */
	u8 level;
	bool held; /* tdx_model_hold(TDX_HOLD_PAGE) */
	u8 rsvd;
	u32 owner; /* TD slot + 1; 0 for none */
	u64 bepoch;
};

struct tdx_table;

struct tdx_sept_entry {
	u64 hpa; /* page, or the table page's HPA */
	struct tdx_table *child; /* the table under a non-leaf entry */
	u8 state; /* enum tdx_sept_state */
	bool held; /* tdx_model_hold(TDX_HOLD_ENTRY) */
};

struct tdx_table {
	struct tdx_sept_entry e[TDX_ENTRIES];
};

/* The TD's lifecycle (TDR) and operation state (TDCS), as far as the
 * memory leaves check them. */
enum tdx_lifecycle {
	TDX_LC_HKID_ASSIGNED,
	TDX_LC_KEYS_CONFIGURED,
	TDX_LC_TEARDOWN
};
enum tdx_op_state { TDX_OP_UNINITIALIZED, TDX_OP_INITIALIZED, TDX_OP_RUNNABLE };

struct tdx_td {
	bool used;
	u64 id;
	enum tdx_lifecycle lifecycle;
	enum tdx_op_state op_state;
	u64 epoch;
	u64 child_pages;
	unsigned int nr_vcpus;
	u64 vcpu_epoch[TDX_MAX_VCPUS]; /* the epoch each vCPU entered in */
	bool sept_held, epoch_held, tdr_held; /* tdx_model_hold() */
	struct tdx_table *root; /* the level-3 entries */
	/* The measurement: the hash PAGE.ADD and MR.EXTEND update, and the
	 * MRTD TDH.MR.FINALIZE makes of it. */
	struct sha384 mr;
	u8 mrtd[TDX_MRTD_SIZE];
};

struct tdx_model {
	u64 size;
	u64 pages;
	struct tdx_pamt *pamt;
	unsigned int pamt_order;
	u64 tables; /* S-EPT tables allocated */
	struct tdx_td td[TDX_MAX_TDS];
};

/* A table's 512 entries of 24 bytes: 12 KiB, an order-2 block. */
#define TDX_TABLE_ORDER 2
_Static_assert(sizeof(struct tdx_table) <= (4096 << TDX_TABLE_ORDER),
	       "an S-EPT table fits its block");

#endif
