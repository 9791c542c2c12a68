/* Native relay (fault_relay.c): byte relay on a per-shard thread for connections no fault touches. */
#ifndef FAULT_RELAY_H
#define FAULT_RELAY_H

#include <stdbool.h>
#include <node_api.h>

/* Adds relayAdd, relayCollect, relayOpenCount and relayCloseAll to `exports`, with one relay
 * (started on first use) per environment, stopped when the environment is torn down. */
bool fault_relay_register(napi_env env, napi_value exports);

#endif
