/* h_page.c - GET /: the one HTML page that lists jobs and follows one as
 * it trains (src/service/page.html, embedded at build time). It is public
 * like any static page; the data it shows comes from /v1, with the token. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"

extern const unsigned char page_html[];
extern const size_t page_html_len;

void h_page(http_req *r, http_reply *out) {
    (void)r;
    char *copy = malloc(page_html_len + 1);
    if (copy == NULL) {
        reply_internal(out, "out of memory");
        return;
    }
    memcpy(copy, page_html, page_html_len + 1);
    reply_text(out, 200, "text/html; charset=utf-8", copy, page_html_len);
}
