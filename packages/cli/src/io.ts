/** Where the CLI writes; tests swap it for buffers. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
}

export const processIo: Io = {
  out: (t) => {
    process.stdout.write(t);
  },
  err: (t) => {
    process.stderr.write(t);
  },
  isTTY: Boolean(process.stdout.isTTY),
};
