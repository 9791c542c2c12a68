// Turns a target into a port that serves: the origin itself, the shared haproxy, or a fresh
// fault (or node:http reference proxy) process per measurement (so no state carries over from
// one measurement to the next, and both start equally cold before their warm-up).
import type { ManagedChild } from './child-processes';
import { type FaultSetup, faultRunArguments, startFault } from './fault-process';
import type { Haproxy } from './haproxy';
import { waitUntilServing } from './http-probe';
import { startNodeHttpProxy } from './node-http-proxy-process';
import { type Origin, startOrigin } from './origin';
import { findFreePort } from './ports';
import type { Target } from './targets';

/** The long-lived processes every measurement shares. */
export interface Fixtures {
  origin: Origin;
  /** Started only when a suite measures it. */
  haproxy?: Haproxy;
  /** wrk script for the absolute-form requests of the HTTP forward proxy. */
  forwardProxyScript: string;
}

export interface Endpoint {
  port: number;
  /** wrk script to use, if the endpoint needs special requests. */
  wrkScript?: string;
  /** The process whose CPU time is the cost of proxying; none when going direct. */
  proxy?: ManagedChild;
  /** The exact `fault` command line, for the record. */
  faultArguments?: string[];
  /** Releases what was started for this endpoint; resolves with a problem worth reporting, if any. */
  close(): Promise<string | undefined>;
}

const nothingToClose = async (): Promise<undefined> => undefined;

export async function openEndpoint(target: Target, fixtures: Fixtures): Promise<Endpoint> {
  switch (target.kind) {
    case 'direct':
      return { port: fixtures.origin.port, close: nothingToClose };
    case 'timer-floor':
      return openDelayedOrigin(target.delayMs);
    case 'haproxy':
      if (fixtures.haproxy === undefined) throw new Error('haproxy target without a running haproxy');
      return { port: fixtures.haproxy.port, proxy: fixtures.haproxy.process, close: nothingToClose };
    case 'node-http':
      return openNodeHttpProxy(fixtures);
    case 'fault':
      return openFault(target.fault, fixtures);
  }
}

/** A fresh origin that answers after `delayMs` (its CPU is not a proxy's: none is reported). */
async function openDelayedOrigin(delayMs: number): Promise<Endpoint> {
  const origin = await startOrigin(delayMs);
  const close = async (): Promise<string | undefined> => {
    const status = await origin.process.stop();
    return status.code === 0 ? undefined : origin.process.describeExit();
  };
  try {
    await waitUntilServing({ port: origin.port });
  } catch (error) {
    await close();
    throw error;
  }
  return { port: origin.port, close };
}

/** Measured like fault's HTTP forward rows: the same absolute-form requests, its own process. */
async function openNodeHttpProxy(fixtures: Fixtures): Promise<Endpoint> {
  const proxy = await startNodeHttpProxy();
  const close = async (): Promise<string | undefined> => {
    const status = await proxy.process.stop();
    return status.code === 0 ? undefined : proxy.process.describeExit();
  };
  try {
    await waitUntilServing({ port: proxy.port, forwardProxyTo: fixtures.origin.port });
  } catch (error) {
    await close();
    throw error;
  }
  return { port: proxy.port, wrkScript: fixtures.forwardProxyScript, proxy: proxy.process, close };
}

async function openFault(setup: FaultSetup, fixtures: Fixtures): Promise<Endpoint> {
  const port = await findFreePort();
  const originPort = fixtures.origin.port;
  const child = await startFault(setup, port, originPort);
  const close = async (): Promise<string | undefined> => {
    const status = await child.stop();
    return status.code === 0 ? undefined : child.describeExit();
  };
  try {
    await waitUntilServing({ port, forwardProxyTo: setup.mode === 'http' ? originPort : undefined });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    port,
    wrkScript: setup.mode === 'http' ? fixtures.forwardProxyScript : undefined,
    proxy: child,
    faultArguments: faultRunArguments(setup, port, originPort),
    close,
  };
}
