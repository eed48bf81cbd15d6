/* handlers.h - the route handlers (h_*.c), each small: parse -> validate
 * -> call a service function -> render. */
#ifndef FITD_HANDLERS_H
#define FITD_HANDLERS_H

#include "http.h"
#include "problem.h"

void h_page(http_req *r, http_reply *out);
void h_livez(http_req *r, http_reply *out);
void h_readyz(http_req *r, http_reply *out);
void h_metrics(http_req *r, http_reply *out);
void h_catalog(http_req *r, http_reply *out);

void h_dataset_create(http_req *r, http_reply *out);
int h_dataset_open_csv(http_req *r, http_reply *out);
void h_dataset_cleanup(http_req *r);
void h_dataset_list(http_req *r, http_reply *out);
void h_dataset_get(http_req *r, http_reply *out);
void h_dataset_data(http_req *r, http_reply *out);
void h_dataset_delete(http_req *r, http_reply *out);

void h_job_submit(http_req *r, http_reply *out);
void h_job_submit_cleanup(http_req *r); /* releases a pending commit's ticket */
void h_free_state(http_req *r); /* cleanup for routes whose state is one malloc */
void h_job_list(http_req *r, http_reply *out);
void h_job_get(http_req *r, http_reply *out);
void h_job_history(http_req *r, http_reply *out);
void h_job_events(http_req *r, http_reply *out);
void h_job_plot(http_req *r, http_reply *out);
void h_job_cancel(http_req *r, http_reply *out);
void h_job_delete(http_req *r, http_reply *out);
void h_job_predict(http_req *r, http_reply *out);
void h_evaluate(http_req *r, http_reply *out);

/* Shared by the handlers: a problem document as the reply. */
void reply_problem_doc(http_reply *out, const problem *p);
/* Parses a positive integer query parameter in [lo, hi]; def when absent.
 * Returns 0, or -1 after filling out with a 400 naming the parameter. */
int query_long(http_req *r, const char *key, long lo, long hi, long def, long *val,
               http_reply *out);
/* The 400 for a page_token that names no page (a list's STORE_NOTFOUND). */
void reply_bad_page_token(http_reply *out);
/* A 500 with a short detail (store or allocation failure). */
void reply_internal(http_reply *out, const char *what);
/* ISO 8601 UTC text of Unix milliseconds, or JSON null for 0. */
json_t *iso_time(long long ms);

#endif
