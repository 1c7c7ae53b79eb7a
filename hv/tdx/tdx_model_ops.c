// SPDX-License-Identifier: MIT
/*
 * hv/tdx/tdx_model_ops.c - the software model (hv/tdx/tdx_model.c) as a
 * struct tdx_module_ops (hv/tdx/tdx_module.h): its host-side calls have
 * the table's signatures, so the table is those functions.
 */
#include "hv/tdx/tdx_module.h"

const struct tdx_module_ops tdx_model_ops = {
	.name = "model",
	.sept_add = tdx_sept_add,
	.page_aug = tdx_page_aug,
	.page_add = tdx_page_add,
	.range_block = tdx_range_block,
	.range_unblock = tdx_range_unblock,
	.track = tdx_track,
	.page_remove = tdx_page_remove,
	.page_promote = tdx_page_promote,
	.page_demote = tdx_page_demote,
	.page_reclaim = tdx_page_reclaim,
	.mr_extend = tdx_mr_extend,
	.td_finalize = tdx_td_finalize,
	.td_teardown = tdx_td_teardown,
	.td_reclaim = tdx_td_reclaim,
};
