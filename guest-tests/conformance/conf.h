/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/conformance/conf.h - what the conformance case files share:
 * the case wrapper (over guest-tests/vmm_case.h, which also gives the
 * handle and memslot helpers), feature predicates, and the prototypes of
 * every case (from cases.def).
 */
#ifndef GMV_CONF_CONF_H
#define GMV_CONF_CONF_H

#include "guest-tests/conformance/conformance.h"
#include "guest-tests/vmm_case.h"
#include "hv/vmm.h"
#include "lib/errno.h"
#include "lib/ktap.h"
#include "lib/mem.h"

#define PG 4096ULL
#define GMEM_MMAP GMV_GMEM_FLAG_MMAP
#define GMEM_SHARED (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define KEEP GMV_FALLOC_KEEP_SIZE
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)
#define BOGUS_HANDLE 12345

#define CONF(fn, pred) void fn(struct kt *t);
#include "guest-tests/conformance/cases.def"
#undef CONF

/* A case on the suite's backend (the kt context); see VMM_CASE. */
#define CONF_CASE(name) VMM_CASE(, name, kt_ctx(t))

/*
 * A default VM with one gmem of 'pages' pages and these flags: returns the
 * gmem, or -1 after a failed check. *vm, unless vm is NULL, gets the VM.
 */
int conf_new_gmem(struct kt *t, struct vmm *v, int *vm, u64 pages, u64 flags);

/* Two page buffers for host accesses (static: the payload's stack is
 * small). conf_fill writes a pattern that depends on seed. */
extern u8 conf_buf[2][PG];
void conf_fill(u8 *buf, size_t len, u8 seed);

/* Feature predicates for KT_CASE_IF: NULL when the backend has them all,
 * else the backend's reason. */
const char *conf_need_mmap(struct kt *t);
const char *conf_need_shared(struct kt *t);
const char *conf_need_sw_protected(struct kt *t);
const char *conf_need_attributes(struct kt *t);
const char *conf_need_attributes_sw(struct kt *t);
const char *conf_need_convert(struct kt *t);
const char *conf_need_convert_mmap(struct kt *t);
const char *conf_need_views(struct kt *t);
const char *conf_need_views_shared(struct kt *t);
const char *conf_need_views_convert(struct kt *t);
const char *conf_need_golden(struct kt *t);
const char *conf_need_policy(struct kt *t);
/* The reverse: runs only on backends without memory attributes. */
const char *conf_without_attributes(struct kt *t);

#endif
