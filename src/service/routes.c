/* routes.c - the one routing table. api/openapi.yaml lists the same routes
 * (a test checks it), and 405's Allow header is computed from it. */
#include "handlers.h"
#include "http.h"

const route http_routes[] = {
    {"GET", "/", h_page, ROUTE_PUBLIC, NULL, NULL},
    {"GET", "/livez", h_livez, ROUTE_PUBLIC, NULL, NULL},
    {"GET", "/readyz", h_readyz, ROUTE_PUBLIC, NULL, NULL},
    {"GET", "/metrics", h_metrics, ROUTE_PUBLIC, NULL, NULL},
    {"GET", "/v1/catalog", h_catalog, 0, NULL, NULL},
    {"POST", "/v1/datasets", h_dataset_create, ROUTE_BODY_JSON | ROUTE_BODY_CSV,
     h_dataset_open_csv, h_dataset_cleanup},
    {"GET", "/v1/datasets", h_dataset_list, 0, NULL, NULL},
    {"GET", "/v1/datasets/{id}", h_dataset_get, 0, NULL, NULL},
    {"DELETE", "/v1/datasets/{id}", h_dataset_delete, 0, NULL, NULL},
    {"GET", "/v1/datasets/{id}/data", h_dataset_data, 0, NULL, NULL},
    {"POST", "/v1/jobs", h_job_submit, ROUTE_BODY_JSON, NULL, h_job_submit_cleanup},
    {"GET", "/v1/jobs", h_job_list, 0, NULL, NULL},
    {"GET", "/v1/jobs/{id}", h_job_get, 0, NULL, NULL},
    {"DELETE", "/v1/jobs/{id}", h_job_delete, 0, NULL, NULL},
    {"GET", "/v1/jobs/{id}/history", h_job_history, 0, NULL, NULL},
    {"GET", "/v1/jobs/{id}/events", h_job_events, 0, NULL, NULL},
    {"GET", "/v1/jobs/{id}/plots/{name}", h_job_plot, 0, NULL, NULL},
    {"POST", "/v1/jobs/{id}/cancel", h_job_cancel, 0, NULL, NULL},
    {"POST", "/v1/jobs/{id}/predict", h_job_predict, ROUTE_BODY_JSON, NULL, NULL},
    {"POST", "/v1/evaluate", h_evaluate, ROUTE_BODY_JSON, NULL, NULL},
};
const size_t http_nroutes = sizeof http_routes / sizeof *http_routes;
