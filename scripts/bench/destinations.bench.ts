/**
 * Webhook deliveries (issue 15, SPEC §11/§14): a 1 GB NDJSON file delivered by the built generic bundle (the local
 * server, in-process async work, FILESYSTEM checkpoints) to a local no-op destination, against a floor of a bare
 * stream-parse-post loop in plain node doing the same work: GET the file, cut lines, JSON.parse each, batch 1000,
 * JSON.stringify `{"data": batch}`, POST on a keep-alive agent, one batch at a time. Figures: delivery MB/s vs the
 * floor (goal ≥ 0.8×), and the agent's peak RSS (goal: under 256 MB absolute). Every server is its own process.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BenchFigure,
  type BenchModule,
  buildGenericBundle,
  httpText,
  interleave,
  median,
  peakRssMb,
  startServerProcess,
  stopChild,
} from './harness';

const SIZE = 1024 * 1024 * 1024;
const ROUNDS = 3;
const BATCH = 1000;
const BUDGET_MB = 256;

/** The NDJSON file over HTTP: HEAD, GET, and `Range: bytes=N-`, as S3 serves a pre-signed URL. */
const FILE_SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const file = process.env.BENCH_FILE;
const size = fs.statSync(file).size;
http.createServer((req, res) => {
  if (req.url !== '/big.ndjson') return res.end('ok');
  const start = Number(/^bytes=(\\d+)-$/.exec(req.headers.range || '')?.[1] || 0);
  if (req.method === 'HEAD') return res.writeHead(200, { 'content-length': size, etag: '"bench"' }).end();
  if (start > 0) res.writeHead(206, { 'content-range': 'bytes ' + start + '-' + (size - 1) + '/' + size, etag: '"bench"' });
  else res.writeHead(200, { 'content-length': size, etag: '"bench"' });
  fs.createReadStream(file, { start }).pipe(res);
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
`;

/** The no-op destination and status API: reads each body, answers 200. */
const SINK = `
const http = require('node:http');
http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":200}'));
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
`;

/** The floor: the least a delivery can do, in plain node. Prints the bytes delivered and the milliseconds taken. */
const BARE_LOOP = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true });
function post(body) {
  return new Promise((resolve, reject) => {
    const req = http.request(process.env.SINK_URL, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.on('data', () => {});
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
}
(async () => {
  const started = performance.now();
  const response = await new Promise((resolve) => http.get(process.env.FILE_URL, resolve));
  let rest = Buffer.alloc(0);
  let batch = [];
  let bytes = 0;
  for await (const chunk of response) {
    bytes += chunk.length;
    const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      batch.push(JSON.parse(data.toString('utf8', start, nl)));
      start = nl + 1;
      if (batch.length === ${BATCH}) { await post(Buffer.from(JSON.stringify({ data: batch }))); batch = []; }
    }
    rest = data.subarray(start);
  }
  if (batch.length) await post(Buffer.from(JSON.stringify({ data: batch })));
  console.log(JSON.stringify({ bytes, ms: performance.now() - started }));
})();
`;

export default (async () => {
  const scratch = await mkdtemp(join(tmpdir(), 'artemis-destinations-bench-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    const bundle = await buildGenericBundle();
    const file = join(scratch, 'big.ndjson');
    const size = await writeNdjson(file, SIZE);

    const files = await startServerProcess(['-e', FILE_SERVER], { BENCH_FILE: file });
    stops.push(() => stopChild(files.child));
    const sink = await startServerProcess(['-e', SINK], {});
    stops.push(() => stopChild(sink.child));
    const storagePath = join(scratch, 'storage');
    const agent = await startServerProcess([bundle], {
      MCD_LOG_LEVEL: 'warn',
      MCD_STORAGE: 'FILESYSTEM',
      MCD_STORAGE_PATH: storagePath,
      MCD_HTTP_ALLOW_LOOPBACK: 'true',
    });
    stops.push(() => stopChild(agent.child));

    const floor = async () => {
      const child = spawn(process.execPath, ['-e', BARE_LOOP], {
        env: { PATH: process.env.PATH, FILE_URL: `${files.url}/big.ndjson`, SINK_URL: `${sink.url}/ingest` },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      await new Promise((resolve) => child.once('exit', resolve));
      const { bytes, ms } = JSON.parse(out) as { bytes: number; ms: number };
      if (bytes !== size) throw new Error(`the bare loop read ${bytes} bytes`);
      return size / 1024 / 1024 / (ms / 1000);
    };
    let round = 0;
    const subject = async () => {
      const started = performance.now();
      const accepted = JSON.parse(
        await httpText(`${agent.url}/api/v1/destinations/http-json`, 'POST', {
          data_url: `${files.url}/big.ndjson`,
          callback_url: `${sink.url}/poll/`,
          webhook_id: `bench-${++round}`,
          settings: { url: `${sink.url}/ingest`, batch_size: BATCH },
        }),
      ) as { job_id: string };
      for (;;) {
        const status = JSON.parse(await httpText(`${agent.url}/async/api/v1/status/${accepted.job_id}`, 'GET')) as {
          __mcd_status__: string;
          __mcd_result__?: { state: string; records_sent: number; byte_offset: number };
        };
        if (status.__mcd_status__ === 'Completed' && status.__mcd_result__?.state === 'succeeded') {
          if (status.__mcd_result__.byte_offset !== size) throw new Error('the delivery did not read the whole file');
          return size / 1024 / 1024 / ((performance.now() - started) / 1000);
        }
        if (status.__mcd_status__ !== 'Pending' && status.__mcd_status__ !== 'Running') {
          throw new Error(`the delivery ended ${JSON.stringify(status)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const samples = await interleave(ROUNDS, floor, subject);
    const agentPeak = await peakRssMb(agent.child);
    const filesPeak = await peakRssMb(files.child);
    return [
      {
        name: 'destinations 1 GB NDJSON → no-op destination: MB/s vs a bare stream-parse-post loop',
        subject: median(samples.subject),
        floor: median(samples.floor),
        unit: 'MB/s',
        direction: 'min',
        goal: 0.8,
        note: `batches of ${BATCH}, checkpoint after each, median of ${ROUNDS}`,
      },
      {
        name: 'destinations 1 GB NDJSON: agent peak RSS',
        subject: agentPeak,
        floor: filesPeak,
        unit: 'MB',
        direction: 'max',
        // The budget is absolute (under 256 MB); expressed as a ratio to the floor measured here.
        goal: Number((BUDGET_MB / filesPeak).toFixed(2)),
        note: `budget ${BUDGET_MB} MB absolute; floor = the bare node file server`,
      },
    ] satisfies BenchFigure[];
  } finally {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }
}) satisfies BenchModule;

/** At least `size` bytes of NDJSON (a 4 MiB block of varied records, written again and again); returns its size. */
async function writeNdjson(path: string, size: number): Promise<number> {
  const lines: string[] = [];
  for (let id = 1, bytes = 0; bytes < 4 * 1024 * 1024; id++) {
    const line = `${JSON.stringify({
      amperity_id: `a${id}`,
      email: `person${id}@example.com`,
      given_name: 'Ada',
      surname: 'Lovelace',
      lifetime_value: (id * 7.31) % 5000,
      opt_in: id % 3 !== 0,
      tags: ['vip', `segment-${id % 17}`],
    })}\n`;
    lines.push(line);
    bytes += Buffer.byteLength(line);
  }
  const block = Buffer.from(lines.join(''));
  const handle = await open(path, 'w');
  let written = 0;
  try {
    for (; written < size; written += block.length) await handle.write(block);
  } finally {
    await handle.close();
  }
  return written;
}
