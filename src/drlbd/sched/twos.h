/*
 * twos's one extra entry point: seed a service's random generator so a
 * test can replay its picks.  The daemon never calls it (init_svc seeds
 * from getrandom()).
 */
#ifndef DRLBD_SCHED_TWOS_H
#define DRLBD_SCHED_TWOS_H

#include <stdint.h>

struct svc;

/*
 * Restart svc's xorshift64* generator from seed (0 is replaced by a fixed
 * non-zero constant: the generator's state must never be 0).  Each pick
 * draws two numbers, the high 32 bits of successive outputs.  Returns -1
 * if svc does not use twos.
 */
int sched_twos_seed(struct svc *svc, uint64_t seed);

#endif
