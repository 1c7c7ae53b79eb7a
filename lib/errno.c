// SPDX-License-Identifier: MIT
/* lib/errno.c - symbolic names of the errno values in lib/errno.h. */
#include "lib/errno.h"
#include "lib/fmt.h"

static const struct {
	int nr;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" },	{ ENOENT, "ENOENT" },	{ EINTR, "EINTR" },
	{ EIO, "EIO" },		{ ENXIO, "ENXIO" },	{ E2BIG, "E2BIG" },
	{ EBADF, "EBADF" },	{ EAGAIN, "EAGAIN" },	{ ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" },	{ EFAULT, "EFAULT" },	{ EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" },	{ EXDEV, "EXDEV" },	{ ENODEV, "ENODEV" },
	{ EINVAL, "EINVAL" },	{ ENOTTY, "ENOTTY" },	{ EFBIG, "EFBIG" },
	{ ENOSPC, "ENOSPC" },	{ ESPIPE, "ESPIPE" },	{ ERANGE, "ERANGE" },
	{ ENOSYS, "ENOSYS" },	{ EOPNOTSUPP, "EOPNOTSUPP" },
	{ ENFILE, "ENFILE" },	{ EMFILE, "EMFILE" },
	{ EOVERFLOW, "EOVERFLOW" },
	{ EHWPOISON, "EHWPOISON" },
};

const char *errno_name(int err)
{
	static char other[16];

	if (err < 0)
		err = -err;
	if (err == 0)
		return "0";
	for (unsigned int i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].nr == err)
			return errno_names[i].name;
	gmv_snprintf(other, sizeof(other), "E%d", err);
	return other;
}
