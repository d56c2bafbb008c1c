import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface FaultPolicy {
  /** Every n-th object GET gets a 503 SlowDown (0: never). */
  slowDownEvery?: number;
  /** Every n-th object GET is cut after half of its body (0: never). */
  cutEvery?: number;
  /** Every n-th list request gets a 503 InternalError (0: never). */
  listErrorEvery?: number;
  /** Bytes per second for every body (0: unlimited). */
  bytesPerSecond?: number;
  /** Every PUT after the first n gets a 503 InternalError (an outage in the middle of an upload). */
  putErrorAfter?: number;
  /** Each PUT waits this long before it is forwarded (a slow link, to kill an upload in its middle). */
  putDelayMs?: number;
  /** The first `first` POSTs (default: all) get this status (503: retried by a client, 400: final). */
  postStatus?: { status: number; first?: number };
}

export interface FaultProxy {
  endpoint: string;
  stats: {
    slowDowns: number;
    cuts: number;
    listErrors: number;
    requests: number;
    puts: number;
    putErrors: number;
    posts: number;
    postErrors: number;
  };
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A loopback proxy in front of an S3 API server that injects the faults of real networks:
 * throttling answers (503 SlowDown), server errors on listings, connections cut in the middle of
 * an object, and slow bodies. Counters make the faults deterministic.
 */
export async function startFaultProxy(upstream: string, policy: FaultPolicy): Promise<FaultProxy> {
  const up = new URL(upstream);
  const stats = { slowDowns: 0, cuts: 0, listErrors: 0, requests: 0, puts: 0, putErrors: 0, posts: 0, postErrors: 0 };
  let gets = 0;
  let lists = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const isList =
      req.method === 'GET' &&
      (url.searchParams.has('list-type') || url.pathname.split('/').filter(Boolean).length <= 1);
    const isGet = req.method === 'GET' && !isList;
    if (isList) lists++;
    if (isGet) gets++;
    if (req.method === 'PUT') stats.puts++;
    if (req.method === 'POST') stats.posts++;
    const ps = policy.postStatus;
    if (req.method === 'POST' && ps && stats.posts <= (ps.first ?? Infinity)) {
      stats.postErrors++;
      req.resume();
      res.writeHead(ps.status, { 'content-type': 'text/plain' });
      res.end(`injected ${ps.status}\n`);
      return;
    }
    if (req.method === 'PUT' && policy.putErrorAfter !== undefined && stats.puts > policy.putErrorAfter) {
      stats.putErrors++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected</Message></Error>',
      );
      return;
    }
    if (isList && policy.listErrorEvery && lists % policy.listErrorEvery === 1) {
      stats.listErrors++;
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected</Message></Error>',
      );
      return;
    }
    if (isGet && policy.slowDownEvery && gets % policy.slowDownEvery === 1) {
      stats.slowDowns++;
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce ' +
          'your request rate.</Message></Error>',
      );
      return;
    }
    const cut = isGet && policy.cutEvery !== undefined && policy.cutEvery > 0 && gets % policy.cutEvery === 2;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void forward());
    const forward = async () => {
      if (req.method === 'PUT' && policy.putDelayMs) await sleep(policy.putDelayMs);
      const upReq = request(
        {
          hostname: up.hostname,
          port: up.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: up.host },
        },
        (upRes) => {
          const body: Buffer[] = [];
          upRes.on('data', (c: Buffer) => body.push(c));
          upRes.on(
            'end',
            () =>
              void (async () => {
                const all = Buffer.concat(body);
                res.writeHead(upRes.statusCode ?? 502, upRes.headers);
                if (cut && all.length > 1) {
                  stats.cuts++;
                  res.write(all.subarray(0, Math.floor(all.length / 2)));
                  await sleep(5);
                  res.socket?.destroy();
                  return;
                }
                const bps = policy.bytesPerSecond ?? 0;
                if (bps > 0) {
                  const piece = Math.max(1024, Math.floor(bps / 50));
                  for (let o = 0; o < all.length; o += piece) {
                    if (res.destroyed) return;
                    res.write(all.subarray(o, o + piece));
                    await sleep(20);
                  }
                  res.end();
                } else res.end(all);
              })(),
          );
        },
      );
      upReq.on('error', () => res.destroy());
      upReq.end(Buffer.concat(chunks));
    };
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
