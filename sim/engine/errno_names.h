/*
 * errno_names.h: the simulated kernel's errno values and their names.
 *
 * The simulator uses the BSD numbering (NetBSD/OpenBSD sys/errno.h), not the
 * host's, so traces are identical on every machine.
 */
#ifndef SOSIM_ERRNO_NAMES_H
#define SOSIM_ERRNO_NAMES_H

enum {
	K_EPERM = 1, K_EINTR = 4, K_EBADF = 9, K_EBUSY = 16, K_EINVAL = 22,
	K_EFBIG = 27, K_EPIPE = 32, K_EWOULDBLOCK = 35, K_ENOTSOCK = 38,
	K_EDESTADDRREQ = 39, K_EMSGSIZE = 40, K_EPROTOTYPE = 41,
	K_EPROTONOSUPPORT = 43, K_ESOCKTNOSUPPORT = 44, K_EOPNOTSUPP = 45,
	K_ECONNABORTED = 53, K_ECONNRESET = 54, K_ENOBUFS = 55, K_EISCONN = 56,
	K_ENOTCONN = 57, K_ETIMEDOUT = 60, K_ECONNREFUSED = 61, K_ELOOP = 62,
	K_ENOPROTOOPT = 42, K_ENOSYS = 78, K_ENOMEM = 12, K_ENOSPC = 28, K_EFTYPE = 79, K_EPROTO = 95, K_ERESTART = -1,
};

/* "EWOULDBLOCK" for 35; "E?" followed by the number for unknown values. */
const char *errno_name(int err);
/* The value for a name (with or without a leading 'E' check), or 0 if unknown. */
int errno_from_name(const char *name);

#endif
