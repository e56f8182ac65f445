/*
 * The daemon's counters and metrics as text (see stats.c).
 */
#ifndef DRLBD_STATS_H
#define DRLBD_STATS_H

#include <stdint.h>

struct drlbd;

/* "name value\n" lines of every counter; malloc'ed, NULL when out of
 * memory. */
char *stats_counters_text(struct drlbd *d, uint32_t *len);
/* the same as one JSON document (docs/json.md) */
char *stats_counters_json(struct drlbd *d, uint32_t *len);
/* Prometheus text exposition; malloc'ed, NULL when out of memory. */
char *stats_metrics_text(struct drlbd *d, uint32_t *len);
/* the same with a void * context (the metrics HTTP responder's callback) */
char *stats_metrics_render(void *d, uint32_t *len);
/* --metrics-file: rewrite it (a loop timer's callback, arg the drlbd) */
void stats_write_metrics_file(void *d, uint64_t now_ms);

#endif
