// SPDX-License-Identifier: MIT
/*
 * guest-tests/loader.c - low memory, identity page tables and image
 * loading for test guests (see loader.h).
 */
#include "guest-tests/loader.h"
#include "guest-tests/lib/abi.h"
#include "hv/x86/cpu.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define PTE_P (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_US (1ULL << 2)
#define PTE_PS (1ULL << 7)
#define PTE_TABLE (PTE_P | PTE_RW | PTE_US)
#define PTES_PER_PAGE 512

#define NR_PDS (GUEST_MAP_LIMIT / SZ_1G)
#define PDPT_GPA (GUEST_PML4_GPA + PAGE_SIZE)
#define PD_GPA(i) (PDPT_GPA + PAGE_SIZE * (1 + (i)))
#define PT_END PD_GPA(NR_PDS)

_Static_assert(NR_PDS <= PTES_PER_PAGE, "one PDPT maps the whole range");
_Static_assert(PT_END <= GUEST_IMAGE_GPA, "page tables end below the image");

/* One page of scratch: tables are built and written a page at a time
 * (static rather than on the small payload stack). */
static u64 table[PTES_PER_PAGE];

static int write_table(struct vmm *v, int vm, u64 gpa)
{
	return v->ops->guest_write(v, vm, gpa, table, sizeof(table));
}

int guest_setup_low_memory(struct vmm *v, int vm, u64 gpa_bits)
{
	struct vmm_region low = {
		.slot = GUEST_LOW_SLOT,
		.guest_phys_addr = 0,
		.memory_size = GUEST_LOW_SIZE,
	};
	int ret = v->ops->set_region(v, vm, &low);

	if (ret)
		return ret;
	memset(table, 0, sizeof(table));
	table[0] = PDPT_GPA | gpa_bits | PTE_TABLE;
	ret = write_table(v, vm, GUEST_PML4_GPA);
	for (u64 i = 0; !ret && i < PTES_PER_PAGE; i++)
		table[i] = i < NR_PDS ? PD_GPA(i) | gpa_bits | PTE_TABLE : 0;
	if (!ret)
		ret = write_table(v, vm, PDPT_GPA);
	for (u64 pd = 0; !ret && pd < NR_PDS; pd++) {
		for (u64 i = 0; i < PTES_PER_PAGE; i++)
			table[i] = (pd * SZ_1G + i * SZ_2M) | gpa_bits |
				   PTE_TABLE | PTE_PS;
		ret = write_table(v, vm, PD_GPA(pd));
	}
	return ret;
}

/* A header whose addresses all lie in [GUEST_IMAGE_GPA, low memory end)
 * and cover the file. */
static bool header_ok(const struct guest_image_header *h, u64 file_size)
{
	return h->magic == GUEST_IMAGE_MAGIC && h->load == GUEST_IMAGE_GPA &&
	       !(h->flags & ~(u64)GUEST_IMAGE_CPL0) &&
	       h->end <= GUEST_LOW_SIZE && h->end >= h->load + file_size &&
	       h->entry >= h->load && h->entry < h->load + file_size &&
	       h->stack_top > h->load && h->stack_top <= h->end;
}

/* The CPU the guest will run on is Intel's: the host's own (the native
 * backend and KVM run guests on the CPU the loader runs on). */
static bool cpu_is_intel(void)
{
	u32 a, v[3];

	cpuid(0, 0, &a, &v[0], &v[2], &v[1]);
	return !memcmp(v, "GenuineIntel", 12);
}

int guest_load_image(struct vmm *v, int vm, const struct guest_image *img,
		     struct vmm_entry *e)
{
	u64 size = img->end - img->start;
	struct guest_image_header h;
	int ret;

	if (size < sizeof(h))
		return -EINVAL;
	memcpy(&h, img->start, sizeof(h));
	if (!header_ok(&h, size))
		return -EINVAL;
	ret = v->ops->guest_write(v, vm, h.load, img->start, size);
	memset(table, 0, sizeof(table));
	for (u64 at = h.load + size; !ret && at < h.end;) {
		u64 n = MIN(h.end - at, sizeof(table));

		ret = v->ops->guest_write(v, vm, at, table, n);
		at += n;
	}
	/* The guest's hypercall instruction, chosen once, here: the header
	 * in guest memory gets GUEST_IMAGE_VMCALL on an Intel CPU. */
	if (!ret && cpu_is_intel()) {
		u64 flags = h.flags | GUEST_IMAGE_VMCALL;

		ret = v->ops->guest_write(
			v, vm,
			h.load + __builtin_offsetof(struct guest_image_header,
						    flags),
			&flags, sizeof(flags));
	}
	if (ret)
		return ret;
	e->rip = h.entry;
	e->rsp = h.stack_top;
	e->cr3 = GUEST_PML4_GPA;
	e->cpl0 = h.flags & GUEST_IMAGE_CPL0;
	return 0;
}
