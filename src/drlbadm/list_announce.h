/*
 * drlbadm --announce: which VIPs drlbd announces through its routing
 * table (drlbd --announce-table), as text or as one JSON document
 * (docs/json.md, kind "announce").  Pure formatting: no socket, no exit.
 */
#ifndef DRLBADM_LIST_ANNOUNCE_H
#define DRLBADM_LIST_ANNOUNCE_H

#include <stddef.h>
#include <stdio.h>

/* Print a GET_ANNOUNCE reply: 0, or -1 (errno EPROTO) when its sizes do
 * not add up. */
int list_announce(FILE *f, const void *body, size_t len, int json);

#endif
