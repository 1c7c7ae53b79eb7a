// SPDX-License-Identifier: MIT
/*
 * hv/snp/rmp.c - what both RMP implementations share (hv/snp/rmp.h): the
 * names of the return codes and outcomes, as traces and test failures
 * print them (the spec's names without their prefix).
 */
#include "hv/snp/rmp.h"

const char *rmp_ret_name(enum rmp_ret ret)
{
	switch (ret) {
	case RMP_SUCCESS:
		return "SUCCESS";
	case RMP_FAIL_INPUT:
		return "FAIL_INPUT";
	case RMP_FAIL_PERMISSION:
		return "FAIL_PERMISSION";
	case RMP_FAIL_INUSE:
		return "FAIL_INUSE";
	case RMP_FAIL_OVERLAP:
		return "FAIL_OVERLAP";
	case RMP_FAIL_SIZEMISMATCH:
		return "FAIL_SIZEMISMATCH";
	case RMP_FAIL_BADADDR:
		return "FAIL_BADADDR";
	case RMP_NO_UPDATE:
		return "NO_UPDATE";
	case RMP_FAULT_NPF:
		return "NPF";
	case RMP_FAULT_NPF_SIZEM:
		return "NPF_SIZEM";
	case RMP_FAULT_VC_NOT_VALIDATED:
		return "VC_NOT_VALIDATED";
	case RMP_FAULT_UD:
		return "UD";
	}
	return "UNKNOWN";
}
