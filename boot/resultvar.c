// SPDX-License-Identifier: MIT
/* boot/resultvar.c - the results variable (see boot/resultvar.h). */
#include "boot/resultvar.h"
#include "lib/mem.h"

EFI_STATUS resultvar_write(EFI_RUNTIME_SERVICES *rt, const char *text)
{
	static const EFI_GUID guid = {
		0x7d3119a7, 0xf799, 0x4341,
		{ 0xa8, 0xae, 0x51, 0x8d, 0x6c, 0x2e, 0x55, 0xe6 }
	};
	static CHAR16 name[] = L"" RESULTVAR_NAME;
	static char data[RESULTVAR_MAX];
	size_t len = strlen(text);

	if (len > sizeof(data))
		len = sizeof(data);
	memcpy(data, text, len);
	/*
	 * UEFI 2.10 section 8.2 SetVariable(): runtime access needs boot
	 * service access too; non-volatile keeps the value across a reset
	 * or power cycle. Without SetVirtualAddressMap() the call goes to
	 * the physical address the firmware gave.
	 */
	return rt->SetVariable(name, (EFI_GUID *)&guid, RESULTVAR_ATTRS, len,
			       data);
}
