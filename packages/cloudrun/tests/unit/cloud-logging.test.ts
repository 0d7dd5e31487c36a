import { describe, expect, it } from '@jest/globals';
import { cloudRunLogSink, traceLogFields } from '../../src/cloud-logging';

const TRACE = '105445aa7843bc8bf206b12000100000';

describe('traceLogFields', () => {
  it('reads X-Cloud-Trace-Context: TRACE/SPAN;o=1', () => {
    // Act
    const fields = traceLogFields({ 'x-cloud-trace-context': `${TRACE}/1;o=1` }, 'my-project');
    // Assess
    expect(fields).toEqual({
      'logging.googleapis.com/trace': `projects/my-project/traces/${TRACE}`,
      'logging.googleapis.com/spanId': '1',
      'logging.googleapis.com/trace_sampled': true,
    });
  });

  it('reads a W3C traceparent', () => {
    // Act
    const fields = traceLogFields({ traceparent: `00-${TRACE}-00f067aa0ba902b7-00` }, 'my-project');
    // Assess
    expect(fields).toEqual({
      'logging.googleapis.com/trace': `projects/my-project/traces/${TRACE}`,
      'logging.googleapis.com/spanId': '00f067aa0ba902b7',
      'logging.googleapis.com/trace_sampled': false,
    });
  });

  it('adds nothing without a project id, or for a malformed header', () => {
    // Act
    const withoutProject = traceLogFields({ 'x-cloud-trace-context': `${TRACE}/1;o=1` }, undefined);
    const malformed = traceLogFields({ 'x-cloud-trace-context': 'not-a-trace', traceparent: 'zz' }, 'my-project');
    // Assess
    expect(withoutProject).toBeUndefined();
    expect(malformed).toBeUndefined();
  });
});

describe('cloudRunLogSink', () => {
  it('writes one JSON line with severity and message', () => {
    // Prepare
    const lines: string[] = [];
    const sink = cloudRunLogSink((line) => lines.push(line));
    // Act
    sink({ ts: 't', level: 'warn', msg: 'careful', big: 10n }, 'warn');
    // Assess
    expect(lines).toEqual([
      `${JSON.stringify({ severity: 'WARNING', message: 'careful', ts: 't', level: 'warn', msg: 'careful', big: '10' })}\n`,
    ]);
  });
});
