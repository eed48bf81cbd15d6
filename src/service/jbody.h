/* jbody.h - strict JSON parsing of a request body or spec file. */
#ifndef FITD_JBODY_H
#define FITD_JBODY_H

#include <jansson.h>
#include <stddef.h>

#include "problem.h"

/* Parses buf[0..len) strictly: duplicate keys rejected, nothing but
 * whitespace after the value, no NUL in strings, NaN/Infinity literals
 * rejected (jansson never accepts them). On failure records a 400
 * "malformed-json" problem whose detail and line/column say where, and
 * returns NULL. Returns the value on success; the caller owns it. */
json_t *jbody_parse(const char *buf, size_t len, problem *p);

#endif
