/* SPDX-License-Identifier: MIT */
/*
 * hv/base/sha384.h - SHA-384 (FIPS 180-4, sections 5.3.4 and 6.5): the
 * hash the TDX module model measures a TD's initial memory with (MRTD).
 * Owns the incremental hash state; pure C, no libc, host and payload.
 */
#ifndef GMV_HV_BASE_SHA384_H
#define GMV_HV_BASE_SHA384_H

#include "lib/types.h"

#define SHA384_DIGEST_SIZE 48
#define SHA384_BLOCK_SIZE 128

struct sha384 {
	u64 h[8]; /* the intermediate hash value H(i) */
	u64 bytes; /* message bytes hashed so far */
	u8 buf[SHA384_BLOCK_SIZE]; /* a partial block, bytes % 128 of it */
};

void sha384_init(struct sha384 *c);
void sha384_update(struct sha384 *c, const void *data, size_t len);
/* Pad, take the last blocks and write the digest; c must be
 * sha384_init()ed again before another use. */
void sha384_final(struct sha384 *c, u8 out[SHA384_DIGEST_SIZE]);

#endif
