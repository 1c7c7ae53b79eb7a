// SPDX-License-Identifier: MIT
/*
 * hv/tdx/tdx_status.c - what both TDX module implementations share
 * (hv/tdx/tdx_module.h): the names of the completion statuses as traces
 * and test failures print them, the spec's names without their TDX_
 * prefix.
 */
#include "hv/tdx/tdx_module.h"

static const struct {
	u64 status;
	const char *name;
} names[] = {
	{TDX_SUCCESS, "SUCCESS"},
	{TDX_OPERAND_INVALID, "OPERAND_INVALID"},
	{TDX_OPERAND_ADDR_RANGE_ERROR, "OPERAND_ADDR_RANGE_ERROR"},
	{TDX_OPERAND_BUSY, "OPERAND_BUSY"},
	{TDX_PREVIOUS_TLB_EPOCH_BUSY, "PREVIOUS_TLB_EPOCH_BUSY"},
	{TDX_PAGE_METADATA_INCORRECT, "PAGE_METADATA_INCORRECT"},
	{TDX_TD_ASSOCIATED_PAGES_EXIST, "TD_ASSOCIATED_PAGES_EXIST"},
	{TDX_LIFECYCLE_STATE_INCORRECT, "LIFECYCLE_STATE_INCORRECT"},
	{TDX_OP_STATE_INCORRECT, "OP_STATE_INCORRECT"},
	{TDX_NO_VCPUS, "NO_VCPUS"},
	{TDX_MAX_VCPUS_EXCEEDED, "MAX_VCPUS_EXCEEDED"},
	{TDX_TD_KEYS_NOT_CONFIGURED, "TD_KEYS_NOT_CONFIGURED"},
	{TDX_EPT_WALK_FAILED, "EPT_WALK_FAILED"},
	{TDX_EPT_ENTRY_NOT_PRESENT, "EPT_ENTRY_NOT_PRESENT"},
	{TDX_GPA_RANGE_NOT_BLOCKED, "GPA_RANGE_NOT_BLOCKED"},
	{TDX_GPA_RANGE_ALREADY_BLOCKED, "GPA_RANGE_ALREADY_BLOCKED"},
	{TDX_TLB_TRACKING_NOT_DONE, "TLB_TRACKING_NOT_DONE"},
	{TDX_EPT_INVALID_PROMOTE_CONDITIONS, "EPT_INVALID_PROMOTE_CONDITIONS"},
	{TDX_PAGE_ALREADY_ACCEPTED, "PAGE_ALREADY_ACCEPTED"},
	{TDX_PAGE_SIZE_MISMATCH, "PAGE_SIZE_MISMATCH"},
	{TDX_EPT_ENTRY_STATE_INCORRECT, "EPT_ENTRY_STATE_INCORRECT"},
};

const char *tdx_status_name(u64 status)
{
	/* The two that are not statuses keep their low bits. */
	if (status == TDX_MODEL_NO_MEMORY)
		return "ENOMEM";
	if (status == TDX_EXIT_EPT_VIOLATION)
		return "EPT_VIOLATION";
	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].status == (status & TDX_STATUS_MASK))
			return names[i].name;
	return "UNKNOWN";
}
