/* history_pack.h - a job's history as it is stored: the float64 bits
 * themselves behind a short binary header, so storing a 100-epoch history
 * costs a memcpy-like pass instead of 300 decimal conversions, and its
 * job's row stays small enough for one database page. Reading gives back
 * the history document every endpoint serves ({"epoch", "loss",
 * "val_loss"?, "params"}), from this form or from either text form older
 * versions stored (base64 in JSON, or the plain JSON document). */
#ifndef FITD_HISTORY_PACK_H
#define FITD_HISTORY_PACK_H

#include <stddef.h>

#include <jansson.h>

#include "core/spec.h"
#include "core/train.h"

/* The packed form, all integers little-endian:
 *   "fitdH1" | flags (1 byte; bit 0: val_loss stored) | N (4 bytes) |
 *   P (1 byte) | P names, each its length (1 byte) then its bytes |
 *   float64 loss[0..N), then val_loss[0..N) when stored, then
 *   params[k*P + p] for N rows of P parameters (named from s).
 * Returns the bytes (owned by the caller) and their count in *len; NULL
 * when out of memory or the history is too long for the header. */
unsigned char *history_pack(const fit_spec *s, const train_history *h, size_t *len);

/* The history document of stored bytes (any form): {"epoch": [1..N],
 * "loss": [...], "val_loss": [...] (when stored), "params": {"m": [...],
 * ...}}, non-finite values as null. NULL for NULL or unreadable bytes; the
 * caller owns the result. */
json_t *history_unpack(const unsigned char *bytes, size_t len);

#endif
