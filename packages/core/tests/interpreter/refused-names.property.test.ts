import { afterAll, describe, expect, it } from '@jest/globals';
import { createAgent } from '../../src/agent/create-agent';
import { loadConfig } from '../../src/config/config';
import type { ProxyClient } from '../../src/connectors/proxy-client';
import { createLogger } from '../../src/logging/logger';

/*
 * Property (issue 9): random JSON shapes in every command position (method, target, store, args, kwargs, next, call
 * values, nested call values, __reference__) never resolve a refused name and never crash the agent. Refused names
 * are planted as own members of the values a command can reach, so resolving one records a hit. A seeded PRNG makes
 * a failure reproducible: the message names the seed and the operation (SEED=<n> to rerun one seed first).
 */

const REFUSED = ['constructor', 'prototype', '__proto__', 'call', 'apply', 'bind', 'eval', 'toString', 'valueOf'];
const MALFORMED = ['_private', '__class__', '__defineGetter__', 'a-b', '', 'constructor ', 'x.y'];
const POOL_REVEALING = ['buffer', 'byteOffset', 'parent', 'offset'];
const ALLOWED = ['obj', 'arr', 'str', 'num', 'bytes', 'view', 'echo', 'value', 'nothing', 'fn', 'ok', 'child', 'probe'];
const PRIMITIVE_METHODS = ['at', 'length', 'slice', 'toUpperCase', 'subarray', 'toFixed', 'concat', 'split'];
const FORBIDDEN = [...REFUSED, ...MALFORMED, ...POOL_REVEALING];
const REACHABLE = [...ALLOWED, ...PRIMITIVE_METHODS];
const VARIABLES = ['_client', '__utils', 'v', 'w', 'constructor', '__proto__', 'prototype', 'toString'];
const KEYS = ['__type__', '__reference__', '__data__', 'method', 'next', 'args', 'kwargs', 'target', 'store', 'a'];

/** mulberry32: small, fast and good enough to spread shapes; the point is reproducibility. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Commands that mostly make sense (so chains get far), with one or two positions replaced by random JSON. */
class Shapes {
  constructor(readonly random: () => number) {}
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }
  /** Mostly a name that resolves, so that chains get far enough to try a refused one. */
  name(): string {
    return this.pick(this.chance(0.6) ? REACHABLE : FORBIDDEN);
  }
  /** Any JSON, or a name in disguise: wrapped in an array, it stringifies to the name (issue 9's bypass). */
  json(depth: number): unknown {
    const roll = this.random();
    if (roll < 0.25) return [this.name()];
    if (depth <= 0 || roll < 0.6) {
      return this.pick<unknown>([this.name(), this.pick(VARIABLES), 7, -1, 0.5, true, false, null, 'aGk=']);
    }
    if (roll < 0.75) return Array.from({ length: Math.floor(this.random() * 3) }, () => this.json(depth - 1));
    if (roll < 0.85) return this.argument(depth - 1);
    const object: Record<string, unknown> = {};
    for (let i = Math.floor(this.random() * 3); i > 0; i--) object[this.pick(KEYS)] = this.json(depth - 1);
    return object;
  }
  argument(depth: number): unknown {
    const roll = this.random();
    if (depth >= 0 && roll < 0.4) return { __type__: 'call', ...this.command(depth) };
    if (roll < 0.55) return { __reference__: this.pick(VARIABLES) };
    if (roll < 0.65) return { __type__: 'bytes', __data__: 'aGVsbG8=' };
    return this.chance(0.5) ? this.pick<unknown>([this.name(), 3, -1, true, null]) : this.json(1);
  }
  command(depth: number): Record<string, unknown> {
    const command: Record<string, unknown> = { method: this.name() };
    if (this.chance(0.15)) command.target = this.pick(['_client', 'v', 'w', '__utils']);
    if (this.chance(0.2)) command.store = this.pick(['v', 'w']);
    if (this.chance(0.5)) {
      command.args = Array.from({ length: Math.floor(this.random() * 3) }, () => this.argument(depth - 1));
    }
    if (this.chance(0.2)) command.kwargs = { [this.pick(['a', 'b'])]: this.argument(depth - 1) };
    if (depth > 0 && this.chance(0.6)) command.next = this.command(depth - 1);
    return command;
  }
  /** Replaces one or two positions (of any command, `next` link, call value or __reference__) with random JSON. */
  mutate(commands: Record<string, unknown>[]): void {
    const slots: [Record<string, unknown>, string][] = [];
    const collect = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      if (Array.isArray(value)) {
        value.forEach(collect);
        return;
      }
      const object = value as Record<string, unknown>;
      if ('method' in object) for (const key of COMMAND_KEYS) slots.push([object, key]);
      if ('__reference__' in object) slots.push([object, '__reference__']);
      Object.values(object).forEach(collect);
    };
    collect(commands);
    for (let n = Math.floor(this.random() * 3); n > 0; n--) {
      const [object, key] = this.pick(slots);
      object[key] = key === 'method' && this.chance(0.5) ? [this.pick(FORBIDDEN)] : this.json(2);
    }
  }
}

const COMMAND_KEYS = ['method', 'target', 'store', 'args', 'kwargs', 'next'];

/** True while the interpreter's member resolution is on the stack (and not, say, a built-in coercing a value). */
const resolving = () => /[/\\]interpreter[/\\]member-resolution\.[jt]s:/.test(new Error().stack ?? '');

/**
 * The values a command can reach, each carrying every refused name as an own accessor: read by member resolution,
 * it records a hit. Read by anything else (JavaScript coercing an argument calls its own `valueOf`), it is a
 * harmless function. `probe` is a permitted name planted the same way: its hits prove the detection works.
 */
function trapClient(hits: string[], probes: string[]): ProxyClient {
  const plant = (object: object, name: string, list: string[]) =>
    Object.defineProperty(object, name, {
      get() {
        if (resolving()) list.push(name);
        return () => name;
      },
      enumerable: false,
    });
  const trapObject = (depth: number): Record<string, unknown> => {
    const object: Record<string, unknown> = { ok: () => 'ok' };
    if (depth > 0) object.child = () => trapObject(depth - 1);
    for (const name of [...REFUSED, ...MALFORMED]) plant(object, name, hits);
    plant(object, 'probe', probes);
    return object;
  };
  // A DataView whose prototype plants the pool-revealing names before DataView.prototype's own getters.
  const trapViewPrototype = Object.create(DataView.prototype) as object;
  for (const name of POOL_REVEALING) plant(trapViewPrototype, name, hits);
  const driver = {
    ok: () => 'ok',
    child: () => trapObject(1),
    obj: () => trapObject(2),
    arr: () => [trapObject(1), 'text', 3],
    str: () => 'Some Text',
    num: () => 2.5,
    bytes: () => Buffer.from('pooled bytes'),
    view: () => Object.setPrototypeOf(new DataView(new ArrayBuffer(8)), trapViewPrototype) as DataView,
    echo: (...args: unknown[]) => args,
    value: (value: unknown) => value,
    nothing: () => null,
    fn: () => () => 'a function',
  };
  for (const name of [...REFUSED, ...MALFORMED]) plant(driver, name, hits);
  plant(driver, 'probe', probes);
  return { wrappedClient: driver };
}

describe('random command shapes never resolve a refused name and never crash (issue 9)', () => {
  const hits: string[] = [];
  const probes: string[] = [];
  const client = trapClient(hits, probes);
  const agent = createAgent({
    config: loadConfig({ MCD_LOG_LEVEL: 'silent' }),
    logger: createLogger('silent'),
    connectors: { trap: async () => ({ create: () => client }) },
  });
  afterAll(() => agent.close());

  const seeds = [...(process.env.SEED ? [Number(process.env.SEED)] : []), 1, 2, 3, 4, 5, 6, 7, 8];

  it.each(seeds)('seed %i: 400 operations', async (seed) => {
    // Prepare
    const shapes = new Shapes(prng(seed));
    const statuses = new Map<number, number>();

    for (let i = 0; i < 400; i++) {
      const commands = Array.from({ length: 1 + Math.floor(shapes.random() * 3) }, () => shapes.command(3));
      shapes.mutate(commands);
      const body = Buffer.from(JSON.stringify({ credentials: {}, operation: { trace_id: `t${i}`, commands } }));

      // Act
      const response = await agent.handle({
        method: 'POST',
        path: '/api/v1/agent/execute/trap/op',
        query: {},
        headers: {},
        body,
      });

      // Assess
      const context = `seed ${seed}, operation ${i}: ${body.toString()}`;
      expect({ context, hits }).toEqual({ context, hits: [] });
      expect({ context, status: [200, 400].includes(response.status) }).toEqual({ context, status: true });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }

    // Assess: the shapes reached the interpreter and its values, so the absence of hits means something.
    expect(statuses.get(200)).toBeGreaterThan(40);
    expect(statuses.get(400)).toBeGreaterThan(40);
    expect(probes.length).toBeGreaterThan(0);
  });
});
