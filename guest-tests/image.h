/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/image.h - the test guest images built into this binary.
 * Each guest-tests/guests/NAME.c is linked with linker.ld, flattened to a
 * binary and embedded under NAME (the Makefile generates the table).
 */
#ifndef GMV_GUEST_TESTS_IMAGE_H
#define GMV_GUEST_TESTS_IMAGE_H

#include "lib/types.h"

struct guest_image {
	const char *name;
	const u8 *start, *end; /* the flat binary */
};

/* The image called name, or NULL. */
const struct guest_image *guest_image_find(const char *name);

#endif
