// Helpers of the S3 benchmarks: moto on loopback, a multipart upload of a block directory, and a
// streaming proxy that limits every body it forwards to one shared rate and counts the bytes.
import { spawn } from 'node:child_process';
import { openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { join, relative } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

export function client(endpoint) {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

/**
 * The S3 API on loopback from a directory (tools/go-dump/cmd/s3server, gofakes3's file-system
 * backend): a range GET costs what it returns, as on S3; moto reads the whole object for each one.
 */
export async function startS3Server(root, dir) {
  const proc = spawn(join(root, 'tools/go-dump/s3server'), ['--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await new Promise((res, rej) => {
    let out = '';
    proc.stdout.on('data', (c) => {
      out += c;
      if (out.includes('\n')) res(JSON.parse(out.split('\n')[0]).endpoint);
    });
    proc.on('exit', (code) => rej(new Error(`s3server exited ${code} (run make go-tools)`)));
  });
  return { endpoint, stop: () => proc.kill('SIGTERM') };
}

const PART = 64 << 20;

/** Uploads every file under `dir` to `bucket/prefix/…`; files over 64 MiB as multipart uploads. */
export async function uploadTree(s3, bucket, prefix, dir) {
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => {});
  const files = [];
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(dir);
  // meta.json last, as a shipper does: a block is complete when it has one.
  files.sort((a, b) => Number(a.endsWith('meta.json')) - Number(b.endsWith('meta.json')));
  for (const f of files) {
    const key = `${prefix}/${relative(dir, f)}`;
    const size = statSync(f).size;
    const fd = openSync(f, 'r');
    try {
      if (size <= PART) {
        const body = Buffer.alloc(size);
        readSync(fd, body, 0, size, 0);
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
        continue;
      }
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      const parts = [];
      for (let o = 0, n = 1; o < size; o += PART, n++) {
        const body = Buffer.alloc(Math.min(PART, size - o));
        readSync(fd, body, 0, body.length, o);
        const r = await s3.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: body }),
        );
        parts.push({ ETag: r.ETag, PartNumber: n });
      }
      await s3.send(
        new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
      );
    } finally {
      closeSync(fd);
    }
  }
  return files.reduce((a, f) => a + statSync(f).size, 0);
}

/**
 * A loopback proxy whose response bodies share one token bucket of `bytesPerSecond` (a link of that
 * speed), streamed as they come; `stats` counts requests and body bytes sent. Partial (206) answers
 * lose gofakes3's whole-object checksum headers, which S3 does not send with a range.
 */
export async function startThrottle(upstream, bytesPerSecond) {
  const up = new URL(upstream);
  const stats = { requests: 0, bytes: 0 };
  let budgetAt = performance.now();
  // Reserves `n` bytes of the link and resolves when they may be sent.
  const reserve = (n) => {
    const now = performance.now();
    budgetAt = Math.max(budgetAt, now) + (n / bytesPerSecond) * 1000;
    return new Promise((r) => setTimeout(r, Math.max(0, budgetAt - now - (n / bytesPerSecond) * 1000)));
  };
  const server = createServer((req, res) => {
    stats.requests++;
    const upReq = request(
      {
        hostname: up.hostname,
        port: up.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: up.host },
      },
      (upRes) => {
        const headers = { ...upRes.headers };
        // S3 sends no whole-object checksum with a part of it; gofakes3 does (and the SDK then rejects it).
        if (upRes.statusCode === 206)
          for (const h of Object.keys(headers)) if (h.startsWith('x-amz-checksum-')) delete headers[h];
        res.writeHead(upRes.statusCode ?? 502, headers);
        upRes.on('data', (c) => {
          upRes.pause();
          void reserve(c.length).then(() => {
            stats.bytes += c.length;
            res.write(c, () => upRes.resume());
          });
        });
        upRes.on('end', () => void reserve(0).then(() => res.end()));
        upRes.on('error', () => res.destroy());
      },
    );
    upReq.on('error', () => res.destroy());
    req.pipe(upReq);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    stats,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))),
  };
}
