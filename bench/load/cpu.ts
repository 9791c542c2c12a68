// CPU time of a whole process (all its threads) from /proc/<pid>/stat.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** utime + stime in microseconds. The kernel sums every thread, live or exited, into these. */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
  const fieldsAfterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime); fieldsAfterName starts at field 3.
  const utime = Number(fieldsAfterName[14 - 3]);
  const stime = Number(fieldsAfterName[15 - 3]);
  return ((utime + stime) * 1_000_000) / clockTicksPerSecond();
}

/** Resolution of the numbers above (USER_HZ, 100 on almost every Linux). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}
