import {
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from './main.js';

const BLOCKS = resolve(dirname(fileURLToPath(import.meta.url)), '../../tsdb-ingest/testdata/blocks');
const FIRST = readdirSync(BLOCKS).sort()[0]!;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t), isTTY: false });
  return { code, out, err };
}

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

/** A copy of the first fixture block, to damage. */
function blockCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'amf-damage-'));
  temps.push(dir);
  cpSync(join(BLOCKS, FIRST), join(dir, FIRST), { recursive: true });
  return join(dir, FIRST);
}

function flip(file: string, offset: number): void {
  const b = readFileSync(file);
  b[offset < 0 ? b.length + offset : offset]! ^= 0x10;
  writeFileSync(file, b);
}

describe('amf-foresight tsdb', () => {
  it('lists blocks', async () => {
    const r = await run(['tsdb', 'ls', BLOCKS]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^BLOCK ULID\s+MIN TIME\s+MAX TIME\s+DURATION\s+SERIES\s+SAMPLES\s+CHUNKS\s+LEVEL$/);
    expect(lines).toHaveLength(readdirSync(BLOCKS).length + 1);
    expect(lines[1]).toContain(FIRST);
    const json = JSON.parse((await run(['tsdb', 'ls', BLOCKS, '--output', 'json'])).out) as {
      blocks: { ulid: string; compaction: { level: number } }[];
    };
    expect(json.blocks[0]!.ulid).toBe(FIRST);
    expect(json.blocks[0]!.compaction.level).toBe(1);
  });

  it('dumps one block directory too', async () => {
    const r = await run(['tsdb', 'dump', join(BLOCKS, FIRST), '--match', 'demo_requests_total']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(
      /^\{__name__="demo_requests_total", instance="a", job="demo"\} 5 1700000000000$/,
    );
  });

  it('--strict-window never prints samples outside the window', async () => {
    const dir = resolve(BLOCKS, '../tombstones');
    const args = ['tsdb', 'dump', dir, '--min-time', '1700000061000', '--max-time', '1700001000000'];
    const compat = await run(args);
    const strict = await run([...args, '--strict-window']);
    const times = (s: string) =>
      s
        .trim()
        .split('\n')
        .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    expect(times(strict.out).every((t) => t >= 1700000061000 && t <= 1700001000000)).toBe(true);
    // promtool 2.42 (and the default) print extra samples outside the window for tombstoned series.
    expect(times(compat.out).some((t) => t < 1700000061000)).toBe(true);
    const inWindow = compat.out.split('\n').filter((l) => {
      const t = Number(l.slice(l.lastIndexOf(' ') + 1));
      return l && t >= 1700000061000 && t <= 1700001000000;
    });
    expect(inWindow.join('\n') + '\n').toBe(strict.out);
  });

  const damages: [string, (block: string) => void, string][] = [
    ['a truncated index', (b) => truncateSync(join(b, 'index'), 500), 'CRC mismatch'],
    ['a flipped bit in the index TOC', (b) => flip(join(b, 'index'), -10), 'CRC mismatch'],
    ['a flipped bit in the symbol table', (b) => flip(join(b, 'index'), 20), 'CRC mismatch'],
    ['a flipped bit in chunk data', (b) => flip(join(b, 'chunks/000001'), 40), 'chunk CRC mismatch'],
    ['a wrong index magic', (b) => flip(join(b, 'index'), 0), 'bad index magic'],
    ['a wrong index version', (b) => flip(join(b, 'index'), 4), 'unsupported index version'],
    ['a wrong segment magic', (b) => flip(join(b, 'chunks/000001'), 1), 'bad chunk segment magic'],
    ['a missing meta.json', (b) => unlinkSync(join(b, 'meta.json')), 'meta.json is missing'],
    ['a malformed meta.json', (b) => writeFileSync(join(b, 'meta.json'), '{"ulid": "x"'), 'not valid JSON'],
    [
      'a meta.json of version 2',
      (b) =>
        writeFileSync(
          join(b, 'meta.json'),
          readFileSync(join(b, 'meta.json'), 'utf8').replace('"version": 1', '"version": 2'),
        ),
      'meta.json version 2',
    ],
    ['a missing index', (b) => unlinkSync(join(b, 'index')), 'index is missing'],
    // Issue 13, finding 2: extreme times in meta.json were a stack trace.
    [
      'a meta.json with a maxTime of 9.9e300',
      (b) => {
        const meta = JSON.parse(readFileSync(join(b, 'meta.json'), 'utf8')) as Record<string, unknown>;
        writeFileSync(join(b, 'meta.json'), JSON.stringify({ ...meta, maxTime: 9.9e300 }));
      },
      'maxTime must be an integer, got 9.9e+300',
    ],
    [
      'a meta.json with a minTime after its maxTime',
      (b) => {
        const meta = JSON.parse(readFileSync(join(b, 'meta.json'), 'utf8')) as { maxTime: number };
        writeFileSync(join(b, 'meta.json'), JSON.stringify({ ...meta, minTime: meta.maxTime + 1 }));
      },
      'minTime',
    ],
    // Issue 13, finding 3: these read /dev/zero until memory ran out.
    [
      'an index linked to /dev/zero',
      (b) => {
        unlinkSync(join(b, 'index'));
        symlinkSync('/dev/zero', join(b, 'index'));
      },
      'index is not a regular file',
    ],
    [
      'a chunk segment linked to /dev/zero',
      (b) => {
        unlinkSync(join(b, 'chunks/000001'));
        symlinkSync('/dev/zero', join(b, 'chunks/000001'));
      },
      'chunk segment is not a regular file',
    ],
    [
      'chunk refs past the end of a truncated segment',
      (b) => truncateSync(join(b, 'chunks/000001'), 2000),
      'runs past the segment end',
    ],
    [
      'a damaged tombstones file',
      (b) => writeFileSync(join(b, 'tombstones'), Buffer.from('0130ba30010000000000ff', 'hex')),
      'tombstones',
    ],
  ];

  it.each(damages)('%s: one line on stderr, exit 2', async (_name, damage, text) => {
    const block = blockCopy();
    damage(block);
    const r = await run(['tsdb', 'dump', block]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^amf-foresight: /);
    expect(r.err).toContain(text);
    expect(r.err).toContain(block);
  });

  it('a directory without blocks exits 3 saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amf-empty-'));
    temps.push(dir);
    const r = await run(['tsdb', 'dump', dir]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^amf-foresight: no TSDB blocks found/);
  });

  it.each([
    [['tsdb', 'dump', BLOCKS, '--min-time', 'yesterday'], '--min-time must be a timestamp in milliseconds'],
    [['tsdb', 'dump', BLOCKS, '--match', '{job=}'], 'cannot parse selector'],
    [['tsdb', 'dump'], 'Not enough non-option arguments'],
    [['tsdb', 'frobnicate'], 'Unknown argument'],
    [[], 'name a command'],
    [['tsdb', 'dump', '/nonexistent/dir'], 'directory does not exist'],
  ])('bad usage %j: exit 2 with %s', async (args, text) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(text);
  });

  it('--help explains the commands with examples', async () => {
    const r = await run(['tsdb', 'dump', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('--min-time');
    expect(r.out).toContain('Examples:');
  });
});

describe('fleet --queue and worker: bad input is one line, exit 2, nothing written', () => {
  const week = ['--start', '2023-06-05 00:00:00', '--end', '2023-06-11 23:59:00'];
  /** The CLI with AMF_FORESIGHT_QUEUE unset (it would stand for a missing --queue). */
  const runUnqueued = async (args: string[]) => {
    const saved = process.env;
    process.env = { ...saved };
    Reflect.deleteProperty(process.env, 'AMF_FORESIGHT_QUEUE');
    try {
      return await run(args);
    } finally {
      process.env = saved;
    }
  };
  it.each([
    [['--queue', 'http://r:6379'], 'BAD_QUEUE_URL', /--queue "http:\/\/r:6379": the scheme is not redis/],
    [['--queue', 'redis://:s3cret@r/99'], 'BAD_QUEUE_URL', /the database must be 0–15, got 99/],
    [['--queue', 'redis://r/0', '--workers', '2'], 'QUEUE_AND_WORKERS', /--workers is for threads of this process/],
    [['--queue', 'redis://r/0', '--queue-timeout', 'soon'], 'BAD_DURATION', /--queue-timeout/],
  ])('fleet %j', async (extra, code, why) => {
    const dir = mkdtempSync(join(tmpdir(), 'amf-queue-usage-'));
    temps.push(dir);
    const r = await runUnqueued(['fleet', '--local-path', BLOCKS, ...week, ...extra, '--runs-dir', join(dir, 'runs')]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(why);
    expect(r.err).toContain(`[${code}]`);
    expect(r.err).not.toContain('s3cret');
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    [[], 'MISSING_QUEUE', /worker needs --queue \(or AMF_FORESIGHT_QUEUE\)/],
    [['--queue', 'redis://r/0', '--concurrency', '0'], 'BAD_CONCURRENCY', /from 1 to 64/],
    [['--queue', 'redis://r/0', '--lock-duration', 'long'], 'BAD_DURATION', /--lock-duration/],
  ])('worker %j', async (extra, code, why) => {
    const r = await runUnqueued(['worker', ...extra]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(why);
    expect(r.err).toContain(`[${code}]`);
  });
});
