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

/**
 * CPU time the whole machine spent in processes (user, nice, system) or lost to the hypervisor
 * (steal), from the first line of /proc/stat. Interrupt time is left out: processes are not
 * charged for it either, and loopback traffic makes a lot of it. Compared with the time of the
 * processes under test, it shows how much other work competed with a measurement.
 */
export function machineBusyMicros(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
  const [user, nice, system, , , , , steal] = fields;
  return ((user + nice + system + (steal ?? 0)) * 1_000_000) / clockTicksPerSecond();
}

/**
 * This process's own CPU time plus that of its children that have exited and been waited for
 * (fields 14-17 of /proc/self/stat): across a wrk run, the harness and wrk itself.
 */
export function selfAndReapedChildrenCpuMicros(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [14, 15, 16, 17].reduce((sum, field) => sum + Number(fields[field - 3]), 0);
  return (ticks * 1_000_000) / clockTicksPerSecond();
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
