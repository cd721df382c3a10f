/** The `backend` override for loadClip from --backend. */
export function backendOverride(type: string | undefined): { type: string } | undefined {
  return type === undefined ? undefined : { type };
}
