// SPDX-License-Identifier: GPL-2.0
/* JSON string values (see jsonstr.h). */
#include "jsonstr.h"

void json_string(FILE *f, const char *s, size_t maxlen)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < maxlen && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
