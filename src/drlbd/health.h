/*
 * Health checks of real servers (keepalived's checkers, from a
 * keepalived.conf read by kaconf.c), run inside drlbd's single poll loop:
 * non-blocking sockets, the MISC_CHECK command in a child reaped without
 * blocking, timers; no threads.
 *
 * A real server is up while every one of its checks is.  A check goes DOWN
 * after `fall` failed attempts in a row (keepalived: the first and its
 * `retry` retries, `delay_before_retry` apart) and UP after `rise`
 * successes; between attempts it waits `delay_loop`.  A DOWN real server is
 * removed from its service (keepalived's default) or set to weight 0
 * (inhibit_on_failure), and restored when it is UP again; the service's
 * sorry_server replaces its real servers while the live weight is below
 * the quorum (keepalived's quorum, hysteresis, alpha and omega; notify and
 * quorum scripts run as children whose output goes to the log).  Every
 * change goes through rules_apply, as drlbadm's would, and is logged.
 *
 * The checkers themselves are behind struct check_ops (checker.h).
 */
#ifndef DRLBD_HEALTH_H
#define DRLBD_HEALTH_H

#include <stddef.h>

#include "checker.h"

struct drlbd;
struct health;

/*
 * The daemon's side (health.c).  health_load reads a keepalived.conf at
 * start and on SIGHUP: the whole file is validated first (syntax, then every
 * service and real server applied to a scratch table); on an error nothing
 * changes and err says "file:line: reason".  Then the checks are replaced
 * (a real server that stays keeps its health) and the live rules converge
 * to the file with each real server's health (rules.h): down real servers
 * out (or weight 0 with inhibit_on_failure), sorry servers in while the
 * quorum is lost.  The checks run from the event loop (health_source, arg
 * d->health), i.e. after privileges are dropped.
 */
int health_load(struct drlbd *d, const char *file, char *err, size_t errlen);
/* stop every attempt (children killed) and forget the checks */
void health_free(struct health *h);

struct loop_source;
extern const struct loop_source health_source;

#define CHECK_POLLFDS_MAX 128		/* socket attempts in flight, at most */

#endif
