import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

/** POSIX modes mean nothing on Windows (every file reports 0666 or 0444 there). */
const HAS_POSIX_MODES = process.platform !== 'win32';

/**
 * Create `dir` (and missing parents) as accessible to this user only (0700). A folder that exists
 * already keeps its mode: it is the operator's, maybe shared on purpose.
 */
export function ensurePrivateDirectory(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The mode given to mkdir passes through the umask; chmod makes it exact.
  if (HAS_POSIX_MODES) chmodSync(dir, 0o700);
}

/** Create `path` empty and readable by this user only (0600), unless it exists. */
export function ensurePrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  if (HAS_POSIX_MODES) chmodSync(path, 0o600);
}

/** The permission bits (e.g. 0o644) of a file that group or others may access, or null when it is private. */
export function sharedFileMode(path: string): number | null {
  if (!HAS_POSIX_MODES) return null;
  const mode = statSync(path).mode & 0o777;
  return (mode & 0o077) === 0 ? null : mode;
}
