import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';

const read = (path: string): string | undefined => (existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined);

/** CPUs a quota of `quota` microseconds per `period` allows, rounded up (a 1.5-CPU quota keeps 2 threads busy part-time). */
const cpusOf = (quota: number, period: number) => (quota > 0 && period > 0 ? Math.max(1, Math.ceil(quota / period)) : undefined);

/** The folders from `start` up to `top`, the nearest existing one first (a container may not see its own cgroup path). */
function upTo(top: string, start: string): string[] {
  const folders: string[] = [];
  for (let folder = start; folder.startsWith(top); folder = dirname(folder)) {
    if (existsSync(folder)) folders.push(folder);
    if (folder === top) break;
  }
  return folders;
}

/**
 * The CPU quota of the process's cgroup and those above it, in CPUs (the smallest), or undefined when none is
 * set: cgroup v2's cpu.max ("200000 100000": 2 CPUs; "max 100000": none), else cgroup v1's cpu.cfs_quota_us /
 * cpu.cfs_period_us (-1: none). `root` is where /proc and /sys are found (tests give a folder of their own).
 */
export function cgroupCpuQuota(root = '/'): number | undefined {
  const lines = (read(join(root, 'proc/self/cgroup')) ?? '').split('\n').map((line) => line.split(':'));
  const limits: number[] = [];
  const unified = lines.find(([id, controllers]) => id === '0' && controllers === '');
  const v2 = join(root, 'sys/fs/cgroup');
  if (unified && existsSync(join(v2, 'cgroup.controllers'))) {
    for (const folder of upTo(v2, join(v2, unified.slice(2).join(':')))) {
      const [quota, period] = (read(join(folder, 'cpu.max')) ?? 'max').split(' ');
      const cpus = quota === 'max' ? undefined : cpusOf(Number(quota), Number(period));
      if (cpus !== undefined) limits.push(cpus);
    }
  }
  const v1 = lines.find(([, controllers]) => controllers?.split(',').includes('cpu'));
  if (v1) {
    const mount = [join(v2, v1[1]), join(v2, 'cpu'), join(v2, 'cpu,cpuacct')].find((path) => existsSync(path));
    for (const folder of mount ? upTo(mount, join(mount, v1.slice(2).join(':'))) : []) {
      const cpus = cpusOf(Number(read(join(folder, 'cpu.cfs_quota_us')) ?? -1), Number(read(join(folder, 'cpu.cfs_period_us')) ?? 0));
      if (cpus !== undefined) limits.push(cpus);
    }
  }
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

/**
 * The threads to compute on when the config leaves `threads` null: the CPUs this process may run on (its
 * affinity mask, as taskset or a container's cpuset sets it: os.availableParallelism), capped by its cgroup's
 * CPU quota (docker --cpus), so that a 2-CPU container on a 16-core machine runs 2 threads, not 16.
 */
export function cpuBudget(root = '/'): number {
  return Math.max(1, Math.min(availableParallelism(), cgroupCpuQuota(root) ?? Number.POSITIVE_INFINITY));
}
