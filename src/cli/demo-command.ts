// `fault demo run [ADDRESS] [PORT]`: the demo application to put behind the proxy.
// Positional arguments (as in the original), each falling back to an env var, then a default.

import type { Command } from 'commander';
import { parseHost, parsePort } from '../config/address';
import type { DemoConfig } from '../config/types';
import type { CommandContext } from './command-context';
import { type Environment, parseAs, type RawValue } from './options';

const ADDRESS_ENV = 'FAULT_DEMO_ADDR';
const PORT_ENV = 'FAULT_DEMO_PORT';
const DEFAULT_ADDRESS = '127.0.0.1';
const DEFAULT_PORT = '7070';

export function registerDemoCommand(parent: Command, context: CommandContext): Command {
  const demo = parent.command('demo').description('a small demo application to try fault against');
  demo
    .command('run')
    .description('serve the demo application until Ctrl-C')
    .argument('[ADDRESS]', `address to listen on (env: ${ADDRESS_ENV}, default: ${DEFAULT_ADDRESS})`)
    .argument('[PORT]', `port to listen on (env: ${PORT_ENV}, default: ${DEFAULT_PORT})`)
    .action(async (address: string | undefined, port: string | undefined) => {
      const config = demoConfigFrom(address, port, context.env);
      // Loaded here so other commands never pay for (or break on) the demo's dependencies.
      const { runDemoCommand } = await import('../demo');
      context.exitCode = await runDemoCommand(config);
    });
  return demo;
}

/** Resolves the positional arguments against the environment and defaults; validates both. */
export function demoConfigFrom(address: string | undefined, port: string | undefined, env: Environment): DemoConfig {
  return {
    address: parseAs(pick(address, 'ADDRESS', env, ADDRESS_ENV, DEFAULT_ADDRESS), parseHost),
    port: parseAs(pick(port, 'PORT', env, PORT_ENV, DEFAULT_PORT), parsePort),
  };
}

function pick(argument: string | undefined, name: string, env: Environment, envName: string, fallback: string): RawValue {
  if (argument !== undefined) return { text: argument, origin: name };
  const fromEnv = env[envName];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { text: fromEnv, origin: envName };
  return { text: fallback, origin: name };
}
