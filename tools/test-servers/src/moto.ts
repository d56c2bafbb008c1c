import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { REPO_ROOT } from './tools.js';

export const MOTO_SERVER = process.env.MOTO_SERVER ?? resolve(REPO_ROOT, '.venv-test/bin/moto_server');

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

export interface Moto {
  endpoint: string;
  client: S3Client;
  stop(): Promise<void>;
}

/** A real S3 API server (moto in server mode) on 127.0.0.1, installed by `make test`. */
export async function startMoto(opts: { auth?: boolean } = {}): Promise<Moto> {
  const port = await freePort();
  // With INITIAL_NO_AUTH_ACTION_COUNT=0 moto checks credentials like AWS (unknown keys are refused).
  const env = { ...process.env, ...(opts.auth ? { INITIAL_NO_AUTH_ACTION_COUNT: '0' } : {}) };
  const proc: ChildProcess = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', env });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      if (r.status < 500) break;
    } catch {
      if (i > 150) {
        proc.kill();
        throw new Error(`moto_server did not start on ${endpoint} (is ${MOTO_SERVER} installed? run make test)`);
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    client: s3Client(endpoint),
    stop: () =>
      new Promise<void>((res) => {
        proc.once('exit', () => res());
        proc.kill('SIGTERM');
      }),
  };
}

export function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 4,
  });
}

export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Uploads every file of `dir` under `prefix/`, meta.json of each block last (as shippers do). */
export async function uploadDir(
  client: S3Client,
  bucket: string,
  prefix: string,
  dir: string,
  skip: (rel: string) => boolean = () => false,
): Promise<void> {
  const files = filesUnder(dir).filter((f) => !skip(f));
  files.sort((a, b) => Number(a.endsWith('meta.json')) - Number(b.endsWith('meta.json')) || (a < b ? -1 : 1));
  for (const f of files) {
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${f}`, Body: readFileSync(join(dir, f)) }),
    );
  }
}

export async function createBucket(client: S3Client, bucket: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}
