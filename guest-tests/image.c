// SPDX-License-Identifier: MIT
/*
 * guest-tests/image.c - lookup in the image table that the Makefile
 * generates (build/guest/images.inc, assembled by guest-tests/images.asm).
 */
#include "guest-tests/image.h"
#include "lib/mem.h"

extern const struct guest_image guest_images[];
extern const u64 guest_nr_images;

const struct guest_image *guest_image_find(const char *name)
{
	for (u64 i = 0; i < guest_nr_images; i++)
		if (!strcmp(guest_images[i].name, name))
			return &guest_images[i];
	return NULL;
}
