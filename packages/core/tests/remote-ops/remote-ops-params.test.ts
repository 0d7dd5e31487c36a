import { describe, expect, it } from '@jest/globals';
import { timeParam } from '../../src/remote-ops/remote-ops-params';

describe('timeParam', () => {
  const fallback = new Date('2026-01-01T00:00:00Z');

  it.each([
    ['2026-03-01T10:00:00Z', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T10:00:00+02:00', '2026-03-01T08:00:00.000Z'],
    ['2026-03-01T10:00:00.123456-0130', '2026-03-01T11:30:00.123Z'],
    ['2026-03-01 10:00+05', '2026-03-01T05:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    // Act / Assess
    expect(timeParam({ start_time: text }, 'start_time', fallback).toISOString()).toBe(iso);
  });

  it("reads a time without an offset as the agent's local time, as Apollo did", () => {
    // Prepare
    const local = new Date(2026, 2, 1, 10, 30, 0);

    // Act / Assess
    expect(timeParam({ start_time: '2026-03-01T10:30:00' }, 'start_time', fallback)).toEqual(local);
    expect(timeParam({ start_time: '2026-03-01' }, 'start_time', fallback)).toEqual(new Date(2026, 2, 1));
  });

  it('falls back when absent or empty', () => {
    // Act / Assess
    expect(timeParam({}, 'start_time', fallback)).toBe(fallback);
    expect(timeParam({ end_time: '' }, 'end_time')).toBeUndefined();
  });

  it.each(['yesterday', '2026-13-45T99:00:00Z', 12])('refuses %j with a 400', (value) => {
    // Act / Assess
    expect(() => timeParam({ start_time: value }, 'start_time', fallback)).toThrow(
      expect.objectContaining({
        status: 400,
        message: 'Invalid value for start_time parameter: expected an ISO 8601 date and time',
      }),
    );
  });
});
