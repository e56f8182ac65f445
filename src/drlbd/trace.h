/*
 * Trace: one readable line per event for whoever runs `drlbadm --trace`,
 * to watch every decision the director makes: frame in, connection-table
 * hit or miss and state change, the scheduler's choice with the numbers
 * behind it, the rewrite, ARP answers, real-server MACs learnt, expiries.
 *
 * When nobody listens, the cost is one predictable branch per event site
 * (trace_on is false); bench/dp_bench measures it against a build with
 * tracing compiled out (-DDRLB_NO_TRACE).
 */
#ifndef DRLBD_TRACE_H
#define DRLBD_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "drlb/svc-t.h"

struct conn;
struct conn_key;

/* someone listens (any filter) */
extern bool trace_on;
/* the frame being processed interests some listener: its events go out
 * (each worker thread processes its own frame) */
extern __thread uint32_t trace_mask;

/* A listener: an fd (the control connection it asked on) and a filter. */
struct trace_filter {
	uint16_t af;			/* 0: any service */
	uint16_t protocol;
	union drlb_inaddr vaddr;
	uint16_t vport;
	uint16_t client_af;		/* 0: any client */
	union drlb_inaddr client;
};

/* Start sending events to fd; returns 0 or -1 (too many listeners). */
int trace_add(int fd, const struct trace_filter *f);
/* No room for another listener. */
bool trace_full(void);
/* fd is gone (EOF on the control connection). */
void trace_remove(int fd);
bool trace_has(int fd);

/* A frame with this key is being processed: pick the listeners it
 * interests (sets trace_mask).  key NULL: a frame we could not parse, for
 * listeners without a filter. */
void trace_frame(const struct conn_key *key);
/* An event not tied to one frame (ARP, expiry): for listeners whose
 * filter admits this client address (af 0: about no client, for the
 * listeners without a client filter). */
void trace_select(uint16_t af, const union drlb_inaddr *client);

void trace_emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "198.18.0.1:80" / "[2001:db8::1]:80" into buf */
const char *trace_addrport(char *buf, size_t len, uint16_t af,
    const union drlb_inaddr *a, uint16_t port_host_order);
const char *trace_mac(char *buf, size_t len, const uint8_t mac[6]);
/* A connection (or template) reaches its timeout. */
void trace_conn_expired(const struct conn *c);

#ifdef DRLB_NO_TRACE
#define TRACE_ON	0
#else
#define TRACE_ON	__builtin_expect(trace_mask != 0, 0)
#endif
/* TRACE("fmt", ...): an event of the current frame */
#define TRACE(...) do { if (TRACE_ON) trace_emit(__VA_ARGS__); } while (0)

#endif
