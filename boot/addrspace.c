// SPDX-License-Identifier: MIT
/* boot/addrspace.c - the payload's address space (see boot/addrspace.h). */
#include "boot/addrspace.h"
#include "boot/cpu.h"
#include "boot/memmap.h"
#include "boot/paging.h"
#include "boot/pe.h"
#include "boot/serial.h"
#include "hv/alloc.h"
#include "lib/errno.h"

#define MAX_RUNS 2048
#define MAX_SECTIONS 16

/* Rights and memory types (hv/npt.h prot values). */
#define PROT_RO NPT_PROT_R
#define PROT_RW (NPT_PROT_R | NPT_PROT_W)
#define PROT_RX (NPT_PROT_R | NPT_PROT_X)
#define PROT_MMIO (PROT_RW | NPT_PROT_UC)

struct run {
	u64 start, end;
	bool wb;
};

struct boot_stack boot_stack;

/* The memory map as sorted, merged runs of one cache type. */
static struct run runs[MAX_RUNS];

/* Insert r keeping runs[0..n) sorted by start; the map is short and
 * nearly sorted already. */
static void insert_run(size_t n, struct run r)
{
	size_t j = n;

	for (; j && runs[j - 1].start > r.start; j--)
		runs[j] = runs[j - 1];
	runs[j] = r;
}

/* Sort the map's ranges (page 0 left out) and merge touching ones of the
 * same cache type. Returns the number of runs. */
static size_t collect_runs(void)
{
	size_t n = 0, m = 0;

	for (size_t i = 0; i < memmap_count() && n < MAX_RUNS; i++) {
		const EFI_MEMORY_DESCRIPTOR *d = memmap_get(i);
		struct run r = {
			.start = MAX(d->PhysicalStart, PAGE_SIZE),
			.end = d->PhysicalStart + d->NumberOfPages * PAGE_SIZE,
			.wb = memmap_is_wb(d),
		};

		if (r.end > r.start)
			insert_run(n++, r);
	}
	for (size_t i = 1; i < n; i++) {
		if (runs[i].start <= runs[m].end && runs[i].wb == runs[m].wb)
			runs[m].end = MAX(runs[m].end, runs[i].end);
		else
			runs[++m] = runs[i];
	}
	return n ? m + 1 : 0;
}

static int map_direct(void)
{
	size_t n = collect_runs();

	for (size_t i = 0; i < n; i++) {
		int ret = paging_map(runs[i].start, runs[i].start,
				     runs[i].end - runs[i].start,
				     runs[i].wb ? PROT_RW : PROT_MMIO);

		if (ret)
			return ret;
	}
	return 0;
}

/* The console's MMIO UART, uncached: the memory map need not list it. */
static int map_console(void)
{
	const struct uart *u = serial_uart();
	u64 start, end;

	if (u->space != UART_MMIO)
		return 0;
	start = ALIGN_DOWN(u->base, PAGE_SIZE);
	end = ALIGN_UP(u->base + (UART_SCR + 1) * u->width, PAGE_SIZE);
	return paging_map(start, start, end - start, PROT_MMIO);
}

static bool live; /* our tables are in CR3 */

int addrspace_map_runtime(void)
{
	if (!live)
		return 0;
	for (size_t i = 0; i < memmap_count(); i++) {
		const EFI_MEMORY_DESCRIPTOR *d = memmap_get(i);
		int ret;

		if (d->Type != EfiRuntimeServicesCode || !d->NumberOfPages)
			continue;
		ret = paging_map(d->PhysicalStart, d->PhysicalStart,
				 d->NumberOfPages * PAGE_SIZE,
				 PROT_RW | NPT_PROT_X |
					 (memmap_is_wb(d) ? 0 : NPT_PROT_UC));
		if (ret)
			return ret;
	}
	return 0;
}

/* The rights for a PE section; 0 for one both writable and executable. */
static unsigned int section_rights(u32 flags)
{
	if (flags & PE_SCN_EXEC)
		return flags & PE_SCN_WRITE ? 0 : PROT_RX;
	return flags & PE_SCN_WRITE ? PROT_RW : PROT_RO;
}

static int map_image(u64 base)
{
	struct pe_section s[MAX_SECTIONS];
	u64 headers;
	int n = pe_sections(base, s, MAX_SECTIONS, &headers);
	int ret;

	if (n < 0)
		return n;
	if (n > MAX_SECTIONS || !IS_ALIGNED(base, PAGE_SIZE))
		return -EINVAL;
	ret = paging_map(base, base, ALIGN_UP(headers, PAGE_SIZE), PROT_RO);
	for (int i = 0; i < n && !ret; i++) {
		unsigned int rights = section_rights(s[i].flags);

		if (!rights || !IS_ALIGNED(s[i].start, PAGE_SIZE))
			return -EINVAL;
		if (s[i].size)
			ret = paging_map(s[i].start, s[i].start,
					 ALIGN_UP(s[i].size, PAGE_SIZE),
					 rights);
	}
	return ret;
}

static int make_stack(void)
{
	u8 *p = alloc_pages(hv_pool, BOOT_STACK_ORDER, OWN_MISC);

	if (!p)
		return -ENOMEM;
	boot_stack.guard = (u64)p;
	boot_stack.top = (u64)p + (PAGE_SIZE << BOOT_STACK_ORDER);
	return paging_unmap(boot_stack.guard, PAGE_SIZE);
}

int addrspace_init(u64 image_base)
{
	int ret = paging_init();

	if (!ret)
		ret = map_direct();
	if (!ret)
		ret = map_console();
	if (!ret)
		ret = map_image(image_base);
	if (!ret)
		ret = make_stack();
	if (ret)
		return ret;
	/* NX needs EFER.NXE before the tables go live; CR0.WP makes the
	 * read-only pages read-only for the kernel too. */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	paging_activate();
	live = true;
	return 0;
}
