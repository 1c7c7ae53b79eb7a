// SPDX-License-Identifier: MIT
/*
 * tools/replay/trace_exec.c - runs a parsed trace against a struct vmm.
 *
 * Trace ids name objects; the interpreter maps each live id to the
 * backend's handle (and a gmem id to the size it was created with). An id
 * never created, or closed, is passed on as VMM_BAD_HANDLE so the backend
 * answers EBADF wherever Linux looks at the descriptor.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errno.h"
#include "tools/replay/trace.h"
#include "tools/replay/trace_rmp.h"
#include "tools/replay/trace_tdx.h"

#define CHUNK 4096
#define READ_MAX 16

struct obj {
	u64 id;
	int handle;
	u64 size;
};

struct table {
	struct obj *objs;
	size_t n, cap;
};

struct run {
	struct vmm *v;
	struct table vms, gmems;
	struct rmp *rmp; /* the RMP ops' model, made at the first one */
	struct tdx_model *tdx; /* the TD ops' model, likewise */
};

static struct obj *lookup(struct table *tb, u64 id)
{
	for (size_t i = 0; i < tb->n; i++)
		if (tb->objs[i].id == id)
			return &tb->objs[i];
	return NULL;
}

static int handle_of(struct table *tb, u64 id)
{
	struct obj *o = lookup(tb, id);

	return o ? o->handle : VMM_BAD_HANDLE;
}

static int reserve(struct table *tb)
{
	size_t ncap = tb->cap ? tb->cap * 2 : 16;
	struct obj *p;

	if (tb->n < tb->cap)
		return 0;
	p = realloc(tb->objs, ncap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	tb->objs = p;
	tb->cap = ncap;
	return 0;
}

static void forget(struct table *tb, u64 id)
{
	struct obj *o = lookup(tb, id);

	if (o)
		*o = tb->objs[--tb->n];
}

/*
 * vm and gmem: a live id is refused with EEXIST before the backend is
 * asked (the object keeps its id); a failed creation leaves the id free.
 */
static int op_create(struct run *r, const struct trace_op *op, bool *nomem)
{
	struct table *tb = op->code == TOP_VM ? &r->vms : &r->gmems;
	const struct vmm_ops *ops = r->v->ops;
	u64 size = op->val[TK_SIZE];
	int h;

	if (lookup(tb, op->val[TK_ID]))
		return -EEXIST;
	if (reserve(tb)) {
		*nomem = true;
		return -ENOMEM;
	}
	if (op->code == TOP_VM)
		h = ops->create_vm(r->v, op->val[TK_TYPE]);
	else
		h = ops->create_gmem(r->v, handle_of(&r->vms, op->val[TK_VM]),
				     size, op->val[TK_FLAGS]);
	if (h < 0)
		return h;
	tb->objs[tb->n++] = (struct obj){ .id = op->val[TK_ID], .handle = h,
					  .size = size };
	return 0;
}

static int op_slot(struct run *r, const struct trace_op *op)
{
	bool has_gmem = op->given & BIT(TK_GMEM);
	struct vmm_region reg = {
		.slot = (u32)op->val[TK_SLOT],
		.guest_phys_addr = op->val[TK_GPA],
		.memory_size = op->val[TK_SIZE],
		.guest_memfd_offset = op->val[TK_OFFSET],
		.guest_memfd = has_gmem ? handle_of(&r->gmems,
						    op->val[TK_GMEM]) :
					  VMM_BAD_HANDLE,
	};

	if (op->given & BIT(TK_FLAGS))
		reg.flags = (u32)op->val[TK_FLAGS];
	else
		reg.flags = has_gmem ? GMV_MEM_GUEST_MEMFD : 0;
	return r->v->ops->set_region(r->v, handle_of(&r->vms, op->val[TK_VM]),
				     &reg);
}

/*
 * write: descriptor, then the range against the created size (ERANGE,
 * checked here), then the backend (mapping, access) in chunks. len 0
 * still asks the backend once, so the mapping is made.
 */
static int op_write(struct run *r, const struct trace_op *op)
{
	struct obj *g = lookup(&r->gmems, op->val[TK_GMEM]);
	u64 off = op->val[TK_OFFSET], len = op->val[TK_LEN];
	const struct vmm_ops *ops = r->v->ops;
	u8 buf[CHUNK];

	memset(buf, (int)op->val[TK_BYTE], sizeof(buf));
	if (!g)
		return ops->host_write(r->v, VMM_BAD_HANDLE, off, buf,
				       MIN(len, CHUNK));
	if (len && (off >= g->size || len > g->size - off))
		return -ERANGE;
	do {
		size_t n = MIN(len, CHUNK);
		int ret = ops->host_write(r->v, g->handle, off, buf, n);

		if (ret)
			return ret;
		off += n;
		len -= n;
	} while (len);
	return 0;
}

/* read: descriptor, length 1..16, range, then the backend. */
static int op_read(struct run *r, const struct trace_op *op, u8 *buf)
{
	struct obj *g = lookup(&r->gmems, op->val[TK_GMEM]);
	u64 off = op->val[TK_OFFSET], len = op->val[TK_LEN];
	const struct vmm_ops *ops = r->v->ops;

	if (!g)
		return ops->host_read(r->v, VMM_BAD_HANDLE, off, buf,
				      MIN(len, READ_MAX));
	if (len < 1 || len > READ_MAX)
		return -EINVAL;
	if (off >= g->size || len > g->size - off)
		return -ERANGE;
	return ops->host_read(r->v, g->handle, off, buf, len);
}

/* close: the id is free afterwards whatever close returned. */
static int op_close(struct run *r, const struct trace_op *op)
{
	bool gmem = op->given & BIT(TK_GMEM);
	struct table *tb = gmem ? &r->gmems : &r->vms;
	u64 id = gmem ? op->val[TK_GMEM] : op->val[TK_VM];
	int ret = r->v->ops->close(r->v, handle_of(tb, id));

	forget(tb, id);
	return ret;
}

static int op_run(struct run *r, const struct trace_op *op, u8 *rbuf,
		  bool *nomem)
{
	const struct vmm_ops *ops = r->v->ops;

	switch (op->code) {
	case TOP_VM:
	case TOP_GMEM:
		return op_create(r, op, nomem);
	case TOP_SLOT:
		return op_slot(r, op);
	case TOP_FALLOC:
		return ops->fallocate(r->v,
				      handle_of(&r->gmems, op->val[TK_GMEM]),
				      (int)op->val[TK_MODE],
				      (s64)op->val[TK_OFFSET],
				      (s64)op->val[TK_LEN]);
	case TOP_ATTR:
		return ops->set_attributes(r->v,
					   handle_of(&r->vms, op->val[TK_VM]),
					   op->val[TK_GPA], op->val[TK_SIZE],
					   op->val[TK_ATTRS],
					   op->val[TK_FLAGS]);
	case TOP_WRITE:
		return op_write(r, op);
	case TOP_READ:
		return op_read(r, op, rbuf);
	case TOP_CLOSE:
		return op_close(r, op);
	default: /* the RMP and TD ops, run by trace_rmp_run() and
		  * trace_tdx_run() */
		return -EINVAL;
	}
}

static void format_result(const struct trace_op *op, int ret, const u8 *rbuf,
			  char *out, size_t size)
{
	int n = snprintf(out, size, "%s ", trace_op_name(op->code));

	if (ret == -VMM_SIGBUS) {
		snprintf(out + n, size - n, "err SIGBUS");
	} else if (ret == -VMM_OVER_BOUND) {
		snprintf(out + n, size - n, "err OVER_BOUND");
	} else if (ret < 0) {
		snprintf(out + n, size - n, "err %s", errno_name(ret));
	} else {
		u64 len = op->code == TOP_READ ? op->val[TK_LEN] : 0;

		n += snprintf(out + n, size - n, "ok%s", len ? " " : "");
		for (u64 i = 0; i < MIN(len, READ_MAX); i++)
			n += snprintf(out + n, size - n, "%02x", rbuf[i]);
	}
}

int trace_run(const struct trace *t, struct vmm *v,
	      const struct trace_hooks *h)
{
	struct run r = { .v = v };
	bool nomem = false;
	int broken = 0;

	for (size_t i = 0; i < t->n_ops && !nomem && !broken; i++) {
		const struct trace_op *op = &t->ops[i];
		u8 rbuf[READ_MAX] = { 0 };
		char line[160];

		if (trace_op_is_rmp(op->code)) {
			broken = trace_rmp_run(&r.rmp, v, op, h->check_rmp,
					       line, sizeof(line));
		} else if (trace_op_is_tdx(op->code)) {
			broken = trace_tdx_run(&r.tdx, v, op, h->check_tdx,
					       line, sizeof(line));
		} else {
			int ret = op_run(&r, op, rbuf, &nomem);

			format_result(op, ret, rbuf, line, sizeof(line));
		}
		h->emit(h->arg, op, line);
		if (h->after_op)
			h->after_op(h->arg, op);
	}
	trace_rmp_end(&r.rmp);
	trace_tdx_end(&r.tdx);
	v->ops->reset(v);
	free(r.vms.objs);
	free(r.gmems.objs);
	return nomem ? -ENOMEM : broken;
}
