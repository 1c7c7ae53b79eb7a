/* SPDX-License-Identifier: MIT */
/*
 * hv/snp/rmp_model_int.h - the software RMP's entry layout
 * (hv/snp/rmp_model.c), for the model and for white-box tests of its
 * invariant checker. Nothing else may look inside.
 */
#ifndef GMV_HV_SNP_RMP_MODEL_INT_H
#define GMV_HV_SNP_RMP_MODEL_INT_H

#include "hv/snp/rmp.h"

#define RMPE_ASSIGNED BIT(0)
#define RMPE_2M BIT(1)
#define RMPE_IMMUTABLE BIT(2)
#define RMPE_VALIDATED BIT(3)
#define RMPE_VMSA BIT(4)
#define RMPE_IN_USE BIT(5)
/* Everything RMPUPDATE replaces; the in-use mark is the CPU's, not the
 * entry's. */
#define RMPE_STATE \
	(RMPE_ASSIGNED | RMPE_2M | RMPE_IMMUTABLE | RMPE_VALIDATED | RMPE_VMSA)

#define RMP_PAGES_2M 512
/* GPA bits 63:52 do not exist (APM vol. 3 RMPUPDATE: reserved). */
#define RMP_GPA_LIMIT BIT(52)

struct rmp_entry {
	u64 gpa;
	u32 asid;
	u8 perms[RMP_NR_VMPL - 1]; /* VMPL1..3; VMPL0 has every right */
	u8 flags;
};

_Static_assert(sizeof(struct rmp_entry) == 16, "the real RMP's cost per page");

struct rmp_model {
	struct rmp rmp;
	struct rmp_entry *e;
	u64 pages;
	unsigned int order; /* of the block holding e[] */
	bool guard_host; /* rmp_model_guard_host(): tell the platform */
};

static inline struct rmp_model *rmp_to_model(struct rmp *r)
{
	return container_of(r, struct rmp_model, rmp);
}

#endif
