// SPDX-License-Identifier: MIT
/*
 * boot/optfile.c - the options file on the boot volume (boot/optfile.h).
 *
 * UEFI 2.10 section 13.4 (Simple File System Protocol): OpenVolume gives
 * the root directory; section 13.5 (File Protocol): Open with
 * EFI_FILE_MODE_READ finds a file by its name relative to that directory
 * (EFI_NOT_FOUND when absent), Read fills at most *BufferSize bytes and
 * sets *BufferSize to what it read (0 at the end of the file).
 */
#include "boot/optfile.h"
#include "boot/options.h"
#include "lib/errno.h"

/* UCS-2 name of the file, at the root of the volume. */
static CHAR16 optfile_name[] = L"\\" OPT_FILE_NAME;

/* Read until buf is full or the file ends; -EIO on a firmware error. */
static int read_all(EFI_FILE_HANDLE f, char *buf, size_t cap, size_t *got,
		    EFI_STATUS *efi_status)
{
	*got = 0;
	while (*got < cap) {
		UINTN chunk = cap - *got;

		*efi_status = f->Read(f, &chunk, buf + *got);
		if (EFI_ERROR(*efi_status))
			return -EIO;
		if (!chunk)
			break;
		*got += chunk;
	}
	return 0;
}

int optfile_read(EFI_BOOT_SERVICES *bs, EFI_HANDLE device, char *buf, size_t n,
		 size_t *size, EFI_STATUS *efi_status)
{
	EFI_GUID fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_FILE_HANDLE root, file;
	char extra;
	size_t more;
	int ret;

	*size = 0;
	*efi_status = EFI_SUCCESS;
	/* Loaded over the network or from memory: no volume to look on. */
	if (!device ||
	    EFI_ERROR(bs->HandleProtocol(device, &fs_guid, (void **)&fs)))
		return -ENOENT;
	*efi_status = fs->OpenVolume(fs, &root);
	if (EFI_ERROR(*efi_status))
		return -EIO;
	*efi_status =
		root->Open(root, &file, optfile_name, EFI_FILE_MODE_READ, 0);
	if (*efi_status == EFI_NOT_FOUND) {
		root->Close(root);
		*efi_status = EFI_SUCCESS;
		return -ENOENT;
	}
	if (EFI_ERROR(*efi_status)) {
		root->Close(root);
		return -EIO;
	}
	ret = read_all(file, buf, n, size, efi_status);
	/* One byte more tells a file of exactly n bytes from a longer one. */
	if (!ret && *size == n) {
		ret = read_all(file, &extra, 1, &more, efi_status);
		if (!ret && more) {
			*size = n + 1;
			ret = -E2BIG;
		}
	}
	file->Close(file);
	root->Close(root);
	return ret;
}
