import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc stat times (USER_HZ; 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** cpuSeconds is the user + system CPU time of the processes so far, from /proc (Linux). */
export function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // A process that ended contributes nothing further.
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** rssMiB is the resident set size of the processes, summed, in MiB. */
export function rssMiB(pids: number[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmRSS:'));
      kib += Number(line?.split(/\s+/)[1] ?? 0);
    } catch {
      // Ended.
    }
  }
  return kib / 1024;
}
