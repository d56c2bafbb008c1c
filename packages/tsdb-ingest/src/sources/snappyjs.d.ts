// snappyjs ships no types: the two functions we call (the snappy block format, not the framed one).
declare module 'snappyjs' {
  const snappy: {
    compress(input: Uint8Array): Uint8Array;
    uncompress(input: Uint8Array): Uint8Array;
  };
  export default snappy;
}
