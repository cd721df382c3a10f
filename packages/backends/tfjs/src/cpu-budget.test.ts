import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupCpuQuota, cpuBudget } from './cpu-budget.js';

/** A folder standing for / with the given files (path relative to it: content). */
function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'clipkit-cgroup-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('cgroupCpuQuota', () => {
  it("reads cgroup v2's cpu.max of the process's cgroup and those above it, taking the smallest", () => {
    const v2 = (own: string, parent: string) =>
      fakeRoot({
        'proc/self/cgroup': '0::/system.slice/job.scope\n',
        'sys/fs/cgroup/cgroup.controllers': 'cpu memory',
        'sys/fs/cgroup/system.slice/cpu.max': parent,
        'sys/fs/cgroup/system.slice/job.scope/cpu.max': own,
      });
    expect(cgroupCpuQuota(v2('200000 100000', 'max 100000'))).toBe(2);
    expect(cgroupCpuQuota(v2('150000 100000', 'max 100000'))).toBe(2);
    expect(cgroupCpuQuota(v2('max 100000', '300000 100000'))).toBe(3);
    expect(cgroupCpuQuota(v2('50000 100000', '300000 100000'))).toBe(1);
    expect(cgroupCpuQuota(v2('max 100000', 'max 100000'))).toBeUndefined();
  });

  it("reads cgroup v1's cpu.cfs_quota_us / cpu.cfs_period_us (-1: no quota), also when the container hides its path", () => {
    const v1 = (quota: string, dir = 'docker/abc') =>
      fakeRoot({
        'proc/self/cgroup': '4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n',
        [`sys/fs/cgroup/cpu,cpuacct/${dir}/cpu.cfs_quota_us`]: quota,
        [`sys/fs/cgroup/cpu,cpuacct/${dir}/cpu.cfs_period_us`]: '100000',
      });
    expect(cgroupCpuQuota(v1('400000'))).toBe(4);
    expect(cgroupCpuQuota(v1('-1'))).toBeUndefined();
    // Inside the container its cgroup is the mount's root.
    expect(cgroupCpuQuota(v1('100000', '.'))).toBe(1);
  });

  it('is undefined without cgroups, and cpuBudget is then the affinity mask', () => {
    const root = fakeRoot({});
    expect(cgroupCpuQuota(root)).toBeUndefined();
    expect(cpuBudget(root)).toBe(availableParallelism());
    expect(cpuBudget(fakeRoot({ 'proc/self/cgroup': '0::/\n', 'sys/fs/cgroup/cgroup.controllers': '', 'sys/fs/cgroup/cpu.max': '100000 100000' }))).toBe(1);
  });
});
