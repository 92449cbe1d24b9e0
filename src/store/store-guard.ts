/**
 * Guards an open SQLite store against its files being removed or replaced underneath it. The
 * connection keeps writing to the file descriptors it opened, so after an `rm` of the -wal
 * file every later commit lands in an unlinked inode that the next process to open the store
 * never sees, and that is lost when this process closes. The guard remembers the identity
 * (device + inode) of the store file and of its write-ahead log once both exist, and compares
 * them with what is at those paths now: one `statSync` each, cheap enough for every write.
 */
import { statSync } from 'node:fs';
import { FerryError } from '../errors.js';

interface Identity {
  dev: number;
  ino: number;
}

/** Which file went, and how. */
export type StoreFileFault = { file: 'store' | 'wal'; how: 'removed' | 'replaced' };

export interface StoreFileGuard {
  /** Records both files' identities; call once the store is open in WAL mode and the -wal file exists. */
  arm(): void;
  /** What changed since `arm`, or null while both files are where and what they were. */
  inspect(): StoreFileFault | null;
}

/** A guard for the store file `file` and its `-wal` companion. */
export function storeFileGuard(file: string): StoreFileGuard {
  let main: Identity | null = null;
  let wal: Identity | null = null;
  const check = (path: string, expected: Identity, which: StoreFileFault['file']): StoreFileFault | null => {
    const now = identity(path);
    if (!now) return { file: which, how: 'removed' };
    return now.dev === expected.dev && now.ino === expected.ino ? null : { file: which, how: 'replaced' };
  };
  return {
    arm() {
      main = identity(file);
      wal = identity(`${file}-wal`);
    },
    inspect() {
      if (!main) return null;
      return check(file, main, 'store') ?? (wal ? check(`${file}-wal`, wal, 'wal') : null);
    },
  };
}

/** The error every write gets once the guard has tripped; names the file by role, never by path. */
export function storeReplacedError(fault: StoreFileFault, rescued: boolean): FerryError {
  const what = fault.file === 'store' ? 'the control store file' : "the control store's write-ahead log (its -wal file)";
  const saved = rescued ? ' The events committed so far were checkpointed into the store file first.' : '';
  return new FerryError(
    'connection',
    'store.replaced',
    `${what} was ${fault.how} by another process while Ferry had the store open, so further writes would be lost; Ferry refuses every write from now on.${saved} Check the store with ferry audit verify, restore it from backup if needed, and restart the server.`,
  );
}

function identity(path: string): Identity | null {
  try {
    const s = statSync(path);
    return { dev: s.dev, ino: s.ino };
  } catch {
    return null;
  }
}
