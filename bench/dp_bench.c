/*
 * The data path's cost per frame, and what tracing costs when nobody
 * listens: the same frames through dp_process() built twice -- with the
 * trace points (trace_on false: nobody listens) and with them compiled out
 * (-DDRLB_NO_TRACE) -- alternating rounds, best of each.
 *
 *   dp_bench [FRAMES [ROUNDS]]
 *
 * Frames: TCP SYNs of FLOWS distinct flows, then their ACKs (table hits),
 * to a wlc service of 4 real servers; the table is flushed between rounds.
 * Built by `make bench` twice from the same source: build/bench/dp_bench
 * links datapath.o with trace points, and dp_bench calls the other build
 * through the symbol dp_process_notrace (see the Makefile).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datapath.h"
#include "fixtures.h"

enum dp_verdict dp_process_notrace(struct dp *dp, struct dp_frame *f);

#define FLOWS 4096

static uint8_t frames[2 * FLOWS][64];

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
mkframes(void)
{
	for (int i = 0; i < 2 * FLOWS; i++) {
		uint32_t flow = (uint32_t)(i % FLOWS);

		fx_frame4(frames[i], FX_MAC_DIR,
		    htonl(0xc6120000u + 100 + flow % 100),	/* 198.18.0.x */
		    (uint16_t)(10000 + flow / 100), fx_ip4("198.18.0.1"), 80,
		    IPPROTO_TCP, i < FLOWS ? 0x02 : 0x10, 0);
	}
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	struct svc_table st;
	struct conn_table *ct;
	struct dp dp;
	double best[2] = { 1e30, 1e30 };
	static uint8_t buf[64 + 16];

	svc_table_init(&st);
	ct = conn_table_create(FLOWS * 2);
	dp_init(&dp, FX_MAC_DIR, 1500, &st, ct);
	fx_svc(&st, DRLB_CTL_ADD_SVC, 80, "wlc");
	for (int i = 0; i < 4; i++)
		fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 7 + i, 1 + i);
	for (uint32_t i = 0; i < st.head->ndests; i++)
		fx_resolve(st.head->dests[i], NULL);
	mkframes();
	dp.now = 1;

	for (int round = 0; round < rounds; round++)
		for (int v = 0; v < 2; v++) {
			uint64_t t0 = now_ns();

			for (long i = 0; i < n; i++) {
				struct dp_frame f = { .data = buf + 16, .len = 54,
				    .wire_len = 54, .vnet = NULL };

				memcpy(buf + 16, frames[i % (2 * FLOWS)], 54);
				if (v == 0)
					dp_process(&dp, &f);
				else
					dp_process_notrace(&dp, &f);
			}
			double ns = (double)(now_ns() - t0) / (double)n;
			if (ns < best[v])
				best[v] = ns;
			conn_flush(ct, &st);
		}
	printf("dp_bench: %ld frames per round (SYNs of %d flows, then their ACKs), "
	    "best of %d rounds\n", n, FLOWS, rounds);
	printf("%-40s %8.1f ns/frame\n", "trace points, nobody listening", best[0]);
	printf("%-40s %8.1f ns/frame\n", "trace compiled out (-DDRLB_NO_TRACE)", best[1]);
	printf("%-40s %8.3f\n", "ratio (with / without)", best[0] / best[1]);
	return 0;
}
