// SPDX-License-Identifier: MIT
/*
 * boot/efi_main.c - the UEFI entry point. It does as little as possible
 * while boot services exist: note where the image is, what its command
 * line says and what the options file on its volume holds, start the
 * console where ACPI says (mirrored on the UEFI text console until here)
 * and take the options, find the PIT's interrupt route in the MADT (for
 * the watchdog's NMI tick), fetch the memory map and exit boot services.
 * The rest happens in boot_start() (boot/start.c).
 */
#include "boot/uefi.h"

#include "boot/acpi.h"
#include "boot/console.h"
#include "boot/madt.h"
#include "boot/memmap.h"
#include "boot/optfile.h"
#include "boot/start.h"

#define EBS_TRIES 8

static struct boot_args args;

static void say(EFI_SYSTEM_TABLE *st, CHAR16 *msg)
{
	st->ConOut->OutputString(st->ConOut, msg);
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_GUID loaded_image_guid = LOADED_IMAGE_PROTOCOL;
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_LOADED_IMAGE *li;
	EFI_STATUS status, efi_status;
	UINTN key;
	int tries = 0;

	status = bs->HandleProtocol(image, &loaded_image_guid, (void **)&li);
	if (EFI_ERROR(status)) {
		say(st, L"gmemvisor: no LoadedImage protocol\r\n");
		return status;
	}
	args.image_base = (u64)li->ImageBase;
	args.runtime_services = st->RuntimeServices;
	args.cmdline_err =
		options_from_ucs2(args.cmdline, sizeof(args.cmdline),
				  li->LoadOptions, li->LoadOptionsSize);
	args.optfile_err = optfile_read(bs, li->DeviceHandle, args.optfile,
					sizeof(args.optfile),
					&args.optfile_size, &efi_status);
	args.optfile_efi_status = efi_status;
	console_start(acpi_rsdp(st));
	args.pit_err =
		madt_isa_irq(acpi_rsdp(st), 0, &args.pit, &args.pit_why);
	console_mirror(st->ConOut);
	boot_options(&args);
	/* ConOut is a boot service, and printing may change the map. */
	console_mirror(NULL);

	/* The map key goes stale whenever the map changes (the firmware
	 * may allocate in between); fetch the map again and retry. */
	do {
		status = memmap_fetch(bs, &key);
		if (EFI_ERROR(status))
			break;
		status = bs->ExitBootServices(image, key);
	} while (status == EFI_INVALID_PARAMETER && ++tries < EBS_TRIES);
	if (EFI_ERROR(status)) {
		say(st, L"gmemvisor: cannot exit boot services\r\n");
		return status;
	}
	boot_start(&args);
}
