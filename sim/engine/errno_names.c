#include "errno_names.h"

#include <stdio.h>
#include <string.h>

static const struct {
	int value;
	const char *name;
} errno_table[] = {
	{ K_EPERM, "EPERM" }, { K_EINTR, "EINTR" }, { K_EBADF, "EBADF" },
	{ K_EBUSY, "EBUSY" }, { K_EINVAL, "EINVAL" }, { K_EFBIG, "EFBIG" },
	{ K_EPIPE, "EPIPE" }, { K_EWOULDBLOCK, "EWOULDBLOCK" },
	{ K_EWOULDBLOCK, "EAGAIN" }, { K_ENOTSOCK, "ENOTSOCK" },
	{ K_EDESTADDRREQ, "EDESTADDRREQ" }, { K_EMSGSIZE, "EMSGSIZE" },
	{ K_EPROTOTYPE, "EPROTOTYPE" }, { K_EPROTONOSUPPORT, "EPROTONOSUPPORT" },
	{ K_ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" }, { K_EOPNOTSUPP, "EOPNOTSUPP" },
	{ K_ECONNABORTED, "ECONNABORTED" }, { K_ECONNRESET, "ECONNRESET" },
	{ K_ENOBUFS, "ENOBUFS" }, { K_EISCONN, "EISCONN" },
	{ K_ENOTCONN, "ENOTCONN" }, { K_ETIMEDOUT, "ETIMEDOUT" },
	{ K_ECONNREFUSED, "ECONNREFUSED" }, { K_ELOOP, "ELOOP" },
	{ K_ENOPROTOOPT, "ENOPROTOOPT" }, { K_EFTYPE, "EFTYPE" }, { K_EPROTO, "EPROTO" }, { K_ENOSYS, "ENOSYS" },
	{ K_ENOMEM, "ENOMEM" }, { K_ENOSPC, "ENOSPC" }, { K_ERESTART, "ERESTART" },
};

const char *
errno_name(int err)
{
	static char unknown[32];

	for (size_t i = 0; i < sizeof errno_table / sizeof errno_table[0]; i++)
		if (errno_table[i].value == err)
			return errno_table[i].name;
	snprintf(unknown, sizeof unknown, "E?%d", err);
	return unknown;
}

int
errno_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof errno_table / sizeof errno_table[0]; i++)
		if (strcmp(errno_table[i].name, name) == 0)
			return errno_table[i].value;
	return 0;
}
