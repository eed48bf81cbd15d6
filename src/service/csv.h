/* csv.h - a streaming reader for dataset uploads (Content-Type: text/csv).
 *
 * The body is fed in whatever chunks the network delivers (a chunk may end
 * inside a line, a number or a CRLF); values go straight into per-column
 * arrays of doubles, and the only text kept is the current partial line, so
 * a million-row upload never needs its text in memory.
 *
 * Format: the first line is the header, one column name per cell (spaces
 * around it trimmed; optionally double-quoted, "" inside quotes is a quote;
 * every name a valid identifier by data_valid_name, all distinct). Each
 * further line is one row: one finite number per cell, written as strtod
 * reads decimals ("1", "-2.5", ".5", "1e-3"; spaces or tabs around it
 * allowed; no hex, "nan", "inf", quotes or empty cells). Cells are separated
 * by ',', lines end in LF or CRLF, the last line's newline is optional and
 * blank lines (only spaces or tabs) at the end are ignored; a blank line
 * followed by more rows is an error. A UTF-8 byte-order mark at the very
 * start is skipped.
 *
 * Rows are numbered as a spreadsheet shows them: the header is row 1, the
 * first data row is row 2. Columns are numbered from 1.
 *
 * Numbers are converted by strtod after their syntax was checked here, so
 * the process must run in the "C" locale for LC_NUMERIC (the default); in
 * another locale a number strtod reads differently is reported, never
 * silently misread.
 *
 * A reader is used by one thread at a time. */
#ifndef FITD_CSV_H
#define FITD_CSV_H

#include <stddef.h>

#include "core/data.h"

#define CSV_LINE_MAX (1u << 20) /* longest line in bytes, without its LF */

/* Why a reader stopped. code is one of core/err.h's: FIT_EINVAL (malformed
 * text: answer 422), FIT_ELIMIT (more rows or columns than allowed, or a
 * line over CSV_LINE_MAX: answer 413), FIT_ENOMEM. msg is the whole message
 * for a person, position included, e.g.
 *   row 17, column 2 ('y'): "abc" is not a finite number
 *   row 5: 3 cells, expected 2
 *   more than 1000 rows
 * msg is printable ASCII: bytes of the input it quotes that are not are
 * written as \xHH. */
typedef struct csv_error {
    int code;                /* FIT_OK while nothing is wrong */
    size_t row;              /* 1-based row (header = 1); 0 = the whole body */
    size_t column;           /* 1-based column; 0 = the whole row */
    char name[FIT_NAME_MAX]; /* the column's name from the header; "" = none */
    char msg[384];
} csv_error;

typedef struct csv_reader csv_reader;

/* A reader that accepts at most max_rows data rows and max_cols columns
 * (0, or more than FIT_MAX_ROWS / FIT_MAX_COLS, means those limits).
 * Returns NULL on allocation failure. The caller owns it (csv_free). */
csv_reader *csv_new(size_t max_rows, size_t max_cols);

/* Consumes buf[0..len) (borrowed; not NUL-terminated; any bytes). Returns
 * FIT_OK, or the error code once the text is known to be bad; after an
 * error every further call returns the same code and does nothing. */
int csv_feed(csv_reader *r, const char *buf, size_t len);

/* Ends the body: reads a last line that had no newline and builds the
 * dataset. On FIT_OK *out is the dataset (the caller owns it: data_free);
 * its columns hold exactly rows doubles each. On error *out is NULL and
 * csv_error_of says why: besides the feed errors, "empty body" and
 * "no data rows" (a header alone). A reader finishes once; feeding or
 * finishing it again is an error. */
int csv_finish(csv_reader *r, fit_data **out);

/* The reader's error; code FIT_OK while there is none. Borrowed: valid
 * until the reader is freed. */
const csv_error *csv_error_of(const csv_reader *r);

void csv_free(csv_reader *r); /* NULL-safe */

#endif
