import { writeSync } from 'node:fs';

/** Where the CLI writes; tests swap it for buffers. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `text` to `fd` before returning, so that a dump of millions of lines never
 * piles up in memory behind a slow reader. A closed pipe (`… | head`) ends the process quietly.
 */
function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 2); // the reader is behind: wait 2 ms and retry
        continue;
      }
      if (code === 'EPIPE') process.exit(0);
      throw e;
    }
  }
}

export const processIo: Io = {
  out: (t) => writeAll(1, t),
  err: (t) => writeAll(2, t),
  // Progress and logs go to stderr: its terminal decides whether lines update in place.
  isTTY: process.stderr.isTTY,
};
