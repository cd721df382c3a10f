import { imageId } from '../index/image-id.js';
import type { ImageRecord } from '../index/image-row.js';
import type { ScannedFile } from './scan-images.js';

/** A file to read: new, or changed in size or modification time since its row was written. */
export interface WorkItem {
  readonly file: ScannedFile;
  readonly id: string;
  /** Its row as stored, or null for a new file. */
  readonly previous: ImageRecord | null;
}

export interface UpdatePlan {
  readonly work: WorkItem[];
  /** Rows whose file is gone. */
  readonly removed: ImageRecord[];
  /** Files whose size and modification time match their row: not read at all. */
  readonly unchanged: number;
}

/**
 * What an incremental run has to do, from the files found and the rows stored: size and mtime decide
 * whether a file is read again (as make and rsync do); the content hash, computed when it is read, then
 * decides whether it is embedded again.
 */
export function planUpdate(files: readonly ScannedFile[], records: readonly ImageRecord[]): UpdatePlan {
  const stored = new Map(records.map((record) => [record.path, record]));
  const work: WorkItem[] = [];
  let unchanged = 0;
  for (const file of files) {
    const previous = stored.get(file.path) ?? null;
    stored.delete(file.path);
    if (previous && previous.size === file.size && previous.mtime === file.mtime) unchanged++;
    else work.push({ file, id: previous?.id ?? imageId(file.path), previous });
  }
  return { work, removed: [...stored.values()], unchanged };
}
