/* dtoa.h - a double as the shortest decimal that reads back to it.
 *
 * The digits are Schubfach's (R. Giulietti, 2020): the fewest significant
 * digits whose decimal rounds to the same double, and of those the one
 * closest to it. Integer arithmetic only (no printf, no locale), so a
 * number costs tens of nanoseconds instead of the microsecond a printf
 * "%.17g" and strtod round trip took. */
#ifndef FITD_DTOA_H
#define FITD_DTOA_H

#include <stddef.h>

/* Longest text dtoa_json writes, with its terminating NUL:
 * "-1.2345678901234567e-308" is 24 characters. */
#define DTOA_MAX 32

/* Writes finite x into out (NUL-terminated) as a JSON real, laid out as
 * printf's "%.Pg" with P = max(15, digits), then ".0" when that looks like
 * an integer: 0.05, 3.0, -0.0, 1e+20, 1.2345678901234568e+20. Non-finite
 * x is written as null. Returns the length written (without the NUL). */
size_t dtoa_json(double x, char out[DTOA_MAX]);

/* The shortest digits of finite x != 0: *digits (1-17 significant digits,
 * no trailing zeros) times 10^*exp10 is the decimal, |x| reads back from
 * it. Returns the number of digits. */
int dtoa_shortest(double x, unsigned long long *digits, int *exp10);

#endif
