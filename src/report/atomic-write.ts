// Writes a file so that readers see either the old content or the whole new one, never half:
// a temporary file in the same directory, flushed, then renamed over the target.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomically(path: string, content: string): Promise<void> {
  // Same directory: rename(2) is atomic only within one file system.
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const file = await open(temporary, 'wx', 0o644);
    try {
      await file.writeFile(content, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new Error(reasonOf(error as NodeJS.ErrnoException));
  }
}

/** `ENOENT: no such file or directory`, without the temporary file's name Node appends. */
function reasonOf(error: NodeJS.ErrnoException): string {
  return error.code && error.syscall ? error.message.replace(/, \w+ '.*$/s, '') : error.message;
}
