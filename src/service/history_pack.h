/* history_pack.h - a job's history as it is stored: compact text that
 * carries the float64 bits themselves (base64), so storing a 100-epoch
 * history costs a few microseconds instead of 300 decimal conversions,
 * and half the bytes. Reading gives back the history document every
 * endpoint serves ({"epoch", "loss", "val_loss"?, "params"}), from this
 * form or from the plain JSON document older versions stored. */
#ifndef FITD_HISTORY_PACK_H
#define FITD_HISTORY_PACK_H

#include <jansson.h>

#include "core/spec.h"
#include "core/train.h"

/* {"encoding":"f64le-base64","n":N,"params":["m",...],"val_loss":B,
 *  "data":"..."}: data is base64 of the little-endian float64s loss[0..N),
 * then val_loss[0..N) when B, then params[k*P + p] for N rows of P
 * parameters (named from s). NULL on allocation failure; the caller frees
 * the text. */
char *history_pack(const fit_spec *s, const train_history *h);

/* The history document of stored text (either form): {"epoch": [1..N],
 * "loss": [...], "val_loss": [...] (when stored), "params": {"m": [...],
 * ...}}, non-finite values as null. NULL for NULL or unreadable text; the
 * caller owns the result. */
json_t *history_unpack(const char *text);

#endif
