import { isBytes, isPlainObject, Undefined } from './template-values';

/** Jinja's tests (`x is defined`, `x is mapping`, …). None of them fails on an undefined value. */
export const TESTS: ReadonlyMap<string, (value: unknown) => boolean> = new Map([
  ['defined', (value: unknown) => !(value instanceof Undefined)],
  ['undefined', (value: unknown) => value instanceof Undefined],
  ['none', (value: unknown) => value === null],
  ['mapping', isPlainObject],
  ['string', (value: unknown) => typeof value === 'string'],
  ['number', (value: unknown) => typeof value === 'number'],
  ['integer', (value: unknown) => typeof value === 'number' && Number.isInteger(value)],
  ['float', (value: unknown) => typeof value === 'number' && !Number.isInteger(value)],
  ['boolean', (value: unknown) => typeof value === 'boolean'],
  ['true', (value: unknown) => value === true],
  ['false', (value: unknown) => value === false],
  [
    'sequence',
    (value: unknown) => typeof value === 'string' || Array.isArray(value) || isPlainObject(value) || isBytes(value),
  ],
]);
