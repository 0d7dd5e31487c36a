import { describe, expect, it } from '@jest/globals';
import * as index from '../src/index';
import * as runtime from '../src/runtime';

describe("the package's index", () => {
  it('exports, by name, every value runtime.ts exports to adapters', () => {
    // Act
    const missing = Object.keys(runtime).filter((name) => !(name in index));

    // Assess
    expect(missing).toEqual([]);
  });
});
