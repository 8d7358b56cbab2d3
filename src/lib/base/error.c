/* Error reporting shared by every parser in the library. */
#include <stdarg.h>
#include <stdio.h>

#include "tlsalert/common.h"

int tlsa_error_set(struct tlsa_error *err, int code, size_t offset, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;

		err->code = code;
		err->offset = offset;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}
