import { createAgent, createLogger, encodeJsonBuffer, loadConfig, withParameters } from '/work/wt-perf/packages/core/src/index';
import { interleave, median, timePerCall } from '/work/wt-perf/scripts/bench/harness';
type BenchFigure = any;
async function tenCommandOperation(): Promise<BenchFigure> {
  const rows = Array.from({ length: 1000 }, (_, i) => [i, `name-${i}`, i * 1.5, i % 2 === 0]);
  const description = [['id'], ['name'], ['score'], ['flag']];
  class Cursor {
    rowcount = -1;
    description: unknown = null;
    #rows: unknown[] = [];
    execute(_query: string) {
      this.#rows = rows;
      this.rowcount = rows.length;
      this.description = description;
      return this;
    }
    fetchall() {
      return this.#rows;
    }
  }
  const driver = { cursor: () => new Cursor(), ping: () => true, identity: (v: unknown) => v };
  const utils = { build_dict: withParameters(['**kwargs'], (kwargs: object) => ({ ...kwargs })) };
  const agent = createAgent({
    config: loadConfig({}),
    logger: createLogger('silent'),
    connectors: { bench: async () => ({ create: () => ({ wrappedClient: driver }) }) },
  });
  const commands = [
    { method: 'ping' },
    { method: 'cursor', store: 'c' },
    { target: 'c', method: 'execute', args: ['SELECT id, name, score, flag FROM t'] },
    { target: 'c', method: 'fetchall', store: 'rows' },
    { target: 'c', method: 'description', store: 'description' },
    { target: 'c', method: 'rowcount', store: 'rowcount' },
    { method: 'identity', args: ['a'] },
    { method: 'identity', args: [{ nested: [1, 2, 3] }] },
    { method: 'ping' },
    {
      target: '__utils',
      method: 'build_dict',
      kwargs: {
        all_results: { __reference__: 'rows' },
        description: { __reference__: 'description' },
        rowcount: { __reference__: 'rowcount' },
      },
    },
  ];
  const body = Buffer.from(JSON.stringify({ credentials: {}, operation: { trace_id: 'bench', commands } }));
  const request = { method: 'POST', path: '/api/v1/agent/execute/bench/op', query: {}, headers: {}, body };
  const byHand = async () => {
    const parsed = JSON.parse(body.toString('utf8')) as { operation: { trace_id: string } };
    driver.ping();
    const cursor = driver.cursor();
    cursor.execute('SELECT id, name, score, flag FROM t');
    const all = cursor.fetchall();
    driver.identity('a');
    driver.identity({ nested: [1, 2, 3] });
    driver.ping();
    const result = utils.build_dict({ all_results: all, description: cursor.description, rowcount: cursor.rowcount });
    return encodeJsonBuffer({ __mcd_result__: result, __mcd_trace_id__: parsed.operation.trace_id });
  };
  const first = await agent.handle(request);
  if (first.status !== 200 || !Buffer.isBuffer(first.body) || !first.body.equals(await byHand())) {
    throw new Error(`bench operation does not produce the same bytes as the floor: ${String(first.body)}`);
  }
  const iterations = 300;
  for (let i=0;i<Number(process.env.N??20000);i++) await agent.handle(request); if (process.env.ONLY) process.exit(0);
  const samples = await interleave(
    3,
    () => timePerCall(iterations, byHand),
    () => timePerCall(iterations, () => agent.handle(request)),
  );
  return {
    name: '10-command operation via handle() vs by hand (1 000 rows)',
    subject: median(samples.subject) / 1000,
    floor: median(samples.floor) / 1000,
    unit: 'µs',
    direction: 'max',
    goal: 1.5,
    note: 'floor = parse + same calls + same encoding',
  };
}


console.log(await tenCommandOperation());
