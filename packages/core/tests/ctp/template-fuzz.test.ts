import { describe, expect, it } from '@jest/globals';
import { compileValue, renderValue, TemplateError } from '../../src/ctp/template/template';

const SECRET = 'S3cr3t-P@ss-fuzz';

/** mulberry32: a small seeded PRNG, so a failing case reproduces from its seed. */
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

const NAMES = [
  'raw',
  'derived',
  'context',
  'constructor',
  'process',
  'globalThis',
  'this',
  'Function',
  'eval',
  'self',
  'lipsum',
  'range',
  'cycler',
  'namespace',
  'none',
  'true',
];
const KEYS = [
  'password',
  'host',
  'list',
  'obj',
  '__proto__',
  'constructor',
  'prototype',
  '__class__',
  '__globals__',
  '_private',
  'toString',
  'valueOf',
  'length',
  'then',
  'call',
  'apply',
  'mro',
  '__subclasses__',
  'items',
  '0',
  '-1',
];
const FILTERS = [
  'default',
  'int',
  'string',
  'trim',
  'replace',
  'tojson',
  'b64encode',
  'b64decode',
  'attr',
  'map',
  'format',
  'safe',
  'join',
  'length',
  'lower',
  'select',
];
const TESTS = ['defined', 'mapping', 'none', 'callable', 'sameas', 'string', 'number'];
const OPERATORS = [
  '+',
  '-',
  '*',
  '/',
  '//',
  '%',
  '**',
  '~',
  '==',
  '!=',
  '<',
  '>=',
  'and',
  'or',
  'in',
  'not in',
  'if',
  'else',
  'is',
  '|',
  '.',
  ',',
];

function hostileExpression(random: () => number, depth: number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  if (depth > 6 || random() < 0.2) {
    return pick([
      `${pick(NAMES)}`,
      `'${pick(KEYS)}'`,
      `${Math.floor(random() * 1e6)}`,
      `"${'x'.repeat(Math.floor(random() * 50))}"`,
      `raw.${pick(KEYS)}`,
    ]);
  }
  const inner = () => hostileExpression(random, depth + 1);
  switch (Math.floor(random() * 12)) {
    case 0:
      return `${inner()}.${pick(KEYS)}`;
    case 1:
      return `${inner()}[${random() < 0.5 ? `'${pick(KEYS)}'` : inner()}]`;
    case 2:
      return `${inner()}(${inner()})`;
    case 3:
      return `${inner()} | ${pick(FILTERS)}${random() < 0.5 ? `(${inner()}, ${inner()})` : ''}`;
    case 4:
      return `${inner()} is ${random() < 0.3 ? 'not ' : ''}${pick(TESTS)}`;
    case 5:
      return `${inner()} ${pick(OPERATORS)} ${inner()}`;
    case 6:
      return `(${inner()})`;
    case 7:
      return `[${inner()}, ${inner()}]`;
    case 8:
      return `{${inner()}: ${inner()}}`;
    case 9:
      return `${inner()} if ${inner()} else ${inner()}`;
    case 10:
      return `not ${inner()}`;
    default:
      return `${'('.repeat(Math.floor(random() * 60))}${inner()}`;
  }
}

function hostileTemplate(random: () => number): string {
  const roll = random();
  if (roll < 0.05) return `{{ '${'A'.repeat(1024 * 1024)}' }}`;
  if (roll < 0.1) return `{% for x in ${hostileExpression(random, 3)} %}{{ x }}{% endfor %}`;
  if (roll < 0.15) return `{{ ${hostileExpression(random, 0)}`;
  if (roll < 0.2) return `{{ raw.host }}{# ${hostileExpression(random, 3)} #}`;
  return `${random() < 0.3 ? 'prefix ' : ''}{{ ${hostileExpression(random, 0)} }}${random() < 0.3 ? ' suffix' : ''}`;
}

function assertData(value: unknown, seen = new Set<unknown>()): void {
  if (value === null || value === undefined || typeof value !== 'object') {
    expect(typeof value).not.toBe('function');
    expect(typeof value).not.toBe('symbol');
    return;
  }
  if (seen.has(value)) return;
  seen.add(value);
  const proto = Object.getPrototypeOf(value);
  expect([Object.prototype, Array.prototype, null, Buffer.prototype, Uint8Array.prototype]).toContain(proto);
  for (const item of Object.values(value)) assertData(item, seen);
}

describe('CTP templates under hostile input (seeded fuzz)', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'seed %i: every template parses or is refused, renders to data or a TemplateError',
    (seed) => {
      // Prepare
      const random = prng(seed);
      const scope = () => ({
        raw: { password: SECRET, host: 'db', list: [1, 2], obj: { a: 1 } },
        derived: { token: SECRET },
        context: { platform: 'Generic' },
      });

      // Act / Assess
      for (let i = 0; i < 400; i++) {
        const template = hostileTemplate(random);
        try {
          assertData(renderValue(compileValue(template), scope()));
        } catch (error) {
          // Anything else (a TypeError, a RangeError from unbounded recursion) would be a crash of the route.
          expect(error).toBeInstanceOf(TemplateError);
          expect((error as Error).message).not.toContain(SECRET);
          expect((error as Error).message.length).toBeLessThan(300);
        }
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('password');
    },
  );
});
