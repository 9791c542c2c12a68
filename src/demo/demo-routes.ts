import { helloRoute } from './hello-route';
import { multiRoute } from './multi-route';
import type { OutboundClient } from './outbound-client';
import { pingMyselfRoute } from './ping-myself-route';
import { pingRoute } from './ping-route';
import type { Route } from './router';
import { slowRoute } from './slow-route';
import { uppercaseRoute } from './uppercase-route';

export interface DemoRouteDependencies {
  client: OutboundClient;
  pingUrl: string;
  multiUrls: readonly string[];
  selfOrigin: () => string;
}

/** The demo's complete route table. */
export function createDemoRoutes(deps: DemoRouteDependencies): Route[] {
  return [
    helloRoute(),
    uppercaseRoute(),
    pingRoute(deps.client, deps.pingUrl),
    pingMyselfRoute(deps.client, deps.selfOrigin),
    multiRoute(deps.client, deps.multiUrls),
    slowRoute(),
  ];
}
