import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config';

describe('memory guard settings (issue 9 finding 3)', () => {
  it('defaults to a guard at 85% of the heap and primitive results of 16 Mi characters', () => {
    // Act
    const { limits } = loadConfig({});

    // Assess
    expect(limits).toMatchObject({ memoryGuardHeapFraction: 0.85, maxPrimitiveResultLength: 16_777_216 });
  });

  it('reads both variables', () => {
    // Act
    const { limits } = loadConfig({ MCD_MEMORY_GUARD_HEAP_FRACTION: '0.7', MCD_MAX_PRIMITIVE_RESULT_LENGTH: '4096' });

    // Assess
    expect(limits).toMatchObject({ memoryGuardHeapFraction: 0.7, maxPrimitiveResultLength: 4096 });
  });

  it.each([
    ['0', 'expected a fraction above 0 and at most 1'],
    ['1.5', 'expected a fraction above 0 and at most 1'],
    ['85%', 'expected a fraction such as 0.85'],
    ['-0.5', 'expected a fraction such as 0.85'],
  ])('refuses MCD_MEMORY_GUARD_HEAP_FRACTION=%s', (value, message) => {
    expect(() => loadConfig({ MCD_MEMORY_GUARD_HEAP_FRACTION: value })).toThrow(
      new ConfigError(`Invalid configuration: MCD_MEMORY_GUARD_HEAP_FRACTION: ${message} (got '${value}')`),
    );
  });

  it('refuses a zero MCD_MAX_PRIMITIVE_RESULT_LENGTH', () => {
    expect(() => loadConfig({ MCD_MAX_PRIMITIVE_RESULT_LENGTH: '0' })).toThrow(
      new ConfigError("Invalid configuration: MCD_MAX_PRIMITIVE_RESULT_LENGTH: expected a positive integer (got '0')"),
    );
  });
});
