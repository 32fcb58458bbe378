/*
 * broker.h — one runnel broker: its loop, log manager, metadata quorum, partition
 * registry and client listener, from start to a clean stop.
 *
 *   rn_broker_start ── meta.properties ── log manager ── quorum ── listener ──▶ running
 *       on quorum leadership: register this broker (and the cluster id once), then
 *       the partition registry follows the metadata log (partitions.h)
 *   rn_broker_stop  ── stop accepting, drain in-flight requests (bounded, 5 s) ──
 *                      listener closed ── quorum stopped ── logs flushed and closed
 *                      cleanly (clean-shutdown marker) ──▶ cb
 *
 * rn_broker_run does all of it on a loop of its own, with SIGINT/SIGTERM starting the
 * stop: what runneld calls.
 *
 * Loop thread only (rn_broker_run: the calling thread).
 */
#ifndef RN_BROKER_BROKER_H
#define RN_BROKER_BROKER_H

#include <stddef.h>
#include <uv.h>

#include "broker/broker_config.h"

typedef struct rn_broker_s rn_broker_t;

/* How long a stopping broker waits for in-flight requests before closing connections. */
#define RN_BROKER_DRAIN_MS 5000

/*
 * Start a broker on loop with a copy of cfg. explicit_kv ("key=value" strings: the
 * settings given in the config file and overrides, in order; may be NULL) only serves
 * DescribeConfigs for the broker resource. Returns 0 and *out, or a negative code with
 * one line in err naming the problem (broker.id mismatch in meta.properties, an
 * unwritable log directory, the listener's address in use, ...); then everything it
 * had started is being closed on loop: run the loop until it has no handles left.
 */
int rn_broker_start(uv_loop_t *loop, const rn_broker_config_t *cfg, char *const *explicit_kv,
                    size_t nexplicit, rn_broker_t **out, char *err, size_t errlen);

/* The client listener's bound port (useful when listeners asks for port 0). */
int rn_broker_port(const rn_broker_t *b);

/* Stop (idempotent: a second call only logs). cb (may be NULL) runs once everything
 * is closed and b is freed; the loop then has no handles of the broker's left. */
void rn_broker_stop(rn_broker_t *b, void (*cb)(void *arg, int status), void *arg);

/* Run a broker in the foreground until SIGINT or SIGTERM. Returns 0 after a clean
 * stop, or a negative code when it could not start (err holds one line) or the logs
 * could not be closed cleanly. */
int rn_broker_run(const rn_broker_config_t *cfg, char *const *explicit_kv, size_t nexplicit,
                  char *err, size_t errlen);

#endif
