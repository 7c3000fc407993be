/* term.h: whether and how to colour text output, and making untrusted text safe for a terminal. */
#pragma once
#include <stdbool.h>
#include <stdio.h>

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* auto: only on a tty and only without NO_COLOR (https://no-color.org). */
bool term_use_color(FILE *f, enum color_mode mode);

#define TERM_RESET "\033[0m"
#define TERM_BOLD "\033[1m"
#define TERM_RED "\033[31m"
#define TERM_GREEN "\033[32m"
#define TERM_YELLOW "\033[33m"
#define TERM_BLUE "\033[34m"
#define TERM_GREY "\033[90m"

/* Copies s into out (outlen bytes, always terminated) with control bytes
 * and invalid UTF-8 written as \xNN, so that a container name or path can
 * never drive the terminal. Returns the display width (code points). */
size_t term_sanitize(const char *s, char *out, size_t outlen);
