// SPDX-License-Identifier: MIT
/*
 * boot/start.c - the payload's options and console, read while boot
 * services are there (boot_options()), then after ExitBootServices
 * (boot_start()): descriptor tables, page pool, address space, TSC and
 * the APIC deadline timer; it moves to the hypervisor stack, calls
 * payload_main() and ends the run with its verdict.
 */
#include "boot/start.h"
#include "boot/addrspace.h"
#include "boot/apic_deadline.h"
#include "boot/console.h"
#include "boot/cpu.h"
#include "boot/exit.h"
#include "boot/fwcfg.h"
#include "boot/gdt.h"
#include "boot/idt.h"
#include "boot/paging.h"
#include "boot/pool.h"
#include "boot/tsc.h"
#include "boot/watchdog.h"
#include "hv/alloc.h"
#include "hv/deadline.h"
#include "hv/vcpu.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/mem.h"

static struct boot_options opts;
static const struct boot_args *boot_args;

/*
 * Apply the one source of options: the console they name (or the default
 * one when they are bad) says what it is, then the options line; a bad
 * word ends the run.
 */
static void apply_options(const char *text, const char *source)
{
	const char *bad = text;
	char word[64];
	size_t n = 0;
	int ret;

	while (*text == ' ')
		text++;
	ret = options_parse(&opts, text, &bad);
	console_choose(&opts.console);
	kprintf("# options: %s: %s\n", source, text);
	if (!ret)
		return;
	while (bad[n] > ' ' && n < sizeof(word) - 1) {
		word[n] = bad[n];
		n++;
	}
	word[n] = '\0';
	if (!memcmp(word, "end=", 4))
		panic("option \"%s\" in %s: end= takes shutdown, reboot or "
		      "halt",
		      word, source);
	if (!memcmp(word, "deadline=", 9))
		panic("option \"%s\" in %s: deadline= takes whole seconds, "
		      "1 to %u",
		      word, source, OPT_DEADLINE_MAX);
	if (!memcmp(word, "console=", 8))
		panic("option \"%s\" in %s: console= takes " CONSOLE_FORMS,
		      word, source);
	if (ret == -ERANGE)
		panic("option \"%s\" in %s: the pool is too small (at least "
		      "%u MiB)",
		      word, source, (unsigned int)(OPT_POOL_MIN >> 20));
	panic("bad option \"%s\" in %s; the options are filter=GLOB, list, "
	      "pool=SIZE, end=shutdown|reboot|halt, deadline=SECONDS, "
	      "console=com1|com2|mmio[32],ADDR[,BAUD], machine=bochs, "
	      "bench=1",
	      word, source);
}

static bool has_words(const char *text)
{
	for (; *text; text++)
		if (*text > ' ')
			return true;
	return false;
}

/* The options file's words in text, or "" when there is none. */
static void optfile_text(const struct boot_args *args, char *text, size_t n)
{
	int ret;

	text[0] = '\0';
	switch (args->optfile_err) {
	case 0:
		break;
	case -ENOENT:
		return;
	case -E2BIG:
		panic("options file \\%s: longer than %d bytes", OPT_FILE_NAME,
		      OPT_FILE_MAX);
	default:
		panic("options file \\%s: cannot read it (EFI status %#llx)",
		      OPT_FILE_NAME,
		      (unsigned long long)args->optfile_efi_status);
	}
	ret = options_from_file(text, n, args->optfile, args->optfile_size);
	if (ret == -E2BIG)
		panic("options file \\%s: its options are longer than %d "
		      "characters",
		      OPT_FILE_NAME, OPT_TEXT_MAX - 1);
	if (ret)
		panic("options file \\%s: not ASCII text", OPT_FILE_NAME);
}

/*
 * The first source that holds options is the only one used: the UEFI
 * load options (a shell command line or a boot entry's), then the options
 * file on the boot volume, then QEMU's fw_cfg.
 */
void boot_options(const struct boot_args *args)
{
	static char text[OPT_TEXT_MAX];
	size_t size;
	int ret;

	exit_set_runtime(args->runtime_services);
	options_init(&opts);
	if (args->cmdline_err)
		panic("LoadOptions longer than %d characters", OPT_TEXT_MAX);
	if (has_words(args->cmdline)) {
		apply_options(args->cmdline, "LoadOptions");
		return;
	}
	optfile_text(args, text, sizeof(text));
	if (has_words(text)) {
		apply_options(text, "file \\" OPT_FILE_NAME);
		return;
	}
	ret = fwcfg_read_file(FWCFG_CMDLINE_FILE, text, sizeof(text) - 1,
			      &size);
	if (ret == -E2BIG)
		panic("fw_cfg %s: %zu bytes, the limit is %d",
		      FWCFG_CMDLINE_FILE, size, OPT_TEXT_MAX - 1);
	if (!ret) {
		text[size] = '\0';
		if (has_words(text)) {
			apply_options(text, "fw_cfg " FWCFG_CMDLINE_FILE);
			return;
		}
	}
	console_choose(&opts.console);
	kputs("# options: none\n");
}

/*
 * ISA IRQ 0's route on Bochs, which the MADT cannot give there: Bochs's
 * OVMF has no fw_cfg and installs no ACPI tables. Bochs wires it as the
 * MADT of a PC with an 82093AA does: the I/O APIC at that chip's default
 * base 0xfec00000 with GSI base 0, the PIT's IRQ 0 on pin 2 (Bochs
 * iodev/ioapic.cc, bx_ioapic_c::set_irq_level()), active high. Taken only
 * when machine=bochs says the run is there and the MADT gave nothing.
 */
static const struct madt_irq bochs_pit = {
	.ioapic = 0xfec00000,
	.gsi_base = 0,
	.gsi = 2,
};

static __noreturn void run_payload(void)
{
	const struct madt_irq *pit =
		boot_args->pit_err ? NULL : &boot_args->pit;
	int ret;

	if (tsc_calibrate())
		kputs("# TSC calibration failed: the PIT never counted "
		      "down\n");
	ret = apic_deadline_init();
	if (ret)
		kprintf("# no deadline timer (%s): no vCPUs\n",
			errno_name(ret));
	else
		kprintf("# deadline timer: %s\n", deadline_timer()->name);
	if (opts.deadline && !pit && opts.bochs) {
		kprintf("# no MADT (%s): the PIT as Bochs wires it\n",
			boot_args->pit_why);
		pit = &bochs_pit;
	}
	if (opts.deadline)
		watchdog_start(opts.deadline, pit, boot_args->pit_why);
	kprintf("# gmemvisor: pool %llu MiB in %u regions, TSC %llu kHz, "
		"%llu page-table pages\n",
		(unsigned long long)(hv_pool->total_pages * PAGE_SIZE >> 20),
		hv_pool->nr_regions, (unsigned long long)tsc_khz,
		(unsigned long long)paging_tables()->stats.table_pages);
	exit_run(payload_main(&opts));
}

/* Continue on the hypervisor stack; fn must not return. */
static __noreturn void switch_stack(u64 top, void (*fn)(void))
{
	/* 32 bytes of shadow space keep the MS ABI's alignment at fn. */
	asm volatile("mov %0, %%rsp\n\t"
		     "sub $32, %%rsp\n\t"
		     "call *%1\n\t"
		     "ud2"
		     :
		     : "r"(top), "r"(fn)
		     : "memory");
	__builtin_unreachable();
}

void boot_start(const struct boot_args *args)
{
	int ret;

	cli();
	boot_args = args;
	gdt_init();
	idt_init();
	exit_set_action(opts.end);
	vcpu_set_bochs(opts.bochs);
	ret = pool_init(opts.pool_limit);
	if (ret)
		panic("no conventional memory above 1 MiB for the pool (%s)",
		      errno_name(ret));
	ret = addrspace_init(args->image_base);
	if (ret)
		panic("cannot build the page tables (%s)", errno_name(ret));
	switch_stack(boot_stack.top, run_payload);
}
