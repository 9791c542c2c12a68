// A shard: one long-lived piscina task in its own worker thread. It serves the listening
// sockets the engine handed it, with its own timer wheel, randomness and statistics, until the
// engine says stop; then it drains and returns.
import type { ShardResult, ShardTask } from '../src/engine/protocol';
import { runShard } from '../src/proxy/shard-runtime';

function shardTask(task: ShardTask): Promise<ShardResult> {
  return runShard(task);
}

export = shardTask;
