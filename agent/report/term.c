/* term.c: whether and how to colour text output, and making untrusted text safe for a terminal. */
#include "report/term.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/jsonw.h"

bool term_use_color(FILE *f, enum color_mode mode)
{
	if (mode == COLOR_ALWAYS)
		return true;
	if (mode == COLOR_NEVER)
		return false;
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	return isatty(fileno(f)) == 1;
}

size_t term_sanitize(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0, width = 0;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	if (!outlen)
		return 0;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq_len(p + i, n - i);
		bool ctrl = l == 1 && (p[i] < 0x20 || p[i] == 0x7f);
		/* C1 controls (U+0080..U+009F) also steer terminals */
		bool c1 = l == 2 && p[i] == 0xC2 && p[i + 1] < 0xA0;
		if (!l || ctrl || c1) {
			if (k + 4 >= outlen)
				break;
			out[k++] = '\\';
			out[k++] = 'x';
			out[k++] = hex[p[i] >> 4];
			out[k++] = hex[p[i] & 15];
			width += 4;
			i++;
			continue;
		}
		if (k + l >= outlen)
			break;
		memcpy(out + k, p + i, l);
		k += l;
		i += l;
		width++;
	}
	out[k] = '\0';
	return width;
}
