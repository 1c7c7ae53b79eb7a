/* SPDX-License-Identifier: MIT */
/*
 * lib/errno.h - Linux errno numbers (x86-64 values) for freestanding code,
 * and their symbolic names. Every hv/ API returns 0 or a negative errno.
 * The values equal Linux's, so host code may mix these with <errno.h>.
 */
#ifndef GMV_LIB_ERRNO_H
#define GMV_LIB_ERRNO_H

#ifndef EPERM
#define EPERM 1
#define ENOENT 2
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define ERANGE 34
#define ENOSYS 38
#define EOVERFLOW 75
#define EOPNOTSUPP 95
#define EHWPOISON 133
#endif

/* Symbolic name ("EINVAL") of a positive or negative errno; "E<n>" style
 * text for numbers without a name is written into a static buffer. */
const char *errno_name(int err);

#endif
