// SPDX-License-Identifier: MIT
/*
 * hv/snp/rmp_host.c - the host build's half of the hardware RMP
 * (hv/snp/rmp.h): a Linux process cannot execute RMPUPDATE or PSMASH, so
 * there is none. The Makefile picks this file for host builds,
 * rmp_hw.c for the payload.
 */
#include "hv/snp/rmp.h"

const char *rmp_hw_lacks(void)
{
	return "no hardware RMP: host build";
}

struct rmp *rmp_hw_get(void)
{
	return NULL;
}
