/**
 * Whether a process with this pid exists on this host, for lock files left by a process that died (signal 0
 * checks without sending anything; EPERM means it exists, owned by another user).
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
