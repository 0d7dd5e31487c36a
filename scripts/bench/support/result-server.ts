/**
 * A process of its own serving one side of the result-path bench (scripts/bench/result.bench.ts), so that its peak
 * RSS is the serving process's alone: `agent` is the local server with the native connectors; `plain` is the floor,
 * plain `pg` (one query, rows as arrays) + JSON.stringify of the same envelope + node:http. Prints the port.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { nativeConnectors } from '../../../packages/connectors/src/index';
import { createAgent, createLocalServer, createLogger, loadConfig } from '../../../packages/core/src/index';

const [mode, pgPort] = process.argv.slice(2);
if (mode === 'agent') {
  const config = loadConfig({ ...process.env, MCD_LOG_LEVEL: 'silent', MCD_NETWORK_ALLOW_LOOPBACK: 'true' });
  const agent = createAgent({ config, logger: createLogger('silent'), connectors: nativeConnectors });
  await agent.ready();
  const server = createLocalServer(agent);
  server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
} else {
  const client = new pg.Client({ host: '127.0.0.1', port: Number(pgPort), database: 'postgres', user: 'postgres' });
  await client.connect();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const { query } = JSON.parse(Buffer.concat(chunks).toString()) as { query: string };
      const { rows } = await client.query({ text: query, rowMode: 'array' });
      const body = JSON.stringify({ __mcd_result__: rows, __mcd_trace_id__: 'bench' });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
}
