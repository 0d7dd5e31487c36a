import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';

/*
 * Connectors throw typed errors: the control plane sees a class name and an `__mcd_error_type__`, never a bare
 * "Error: …". A malformed libpq connection string fails before any connection is made, as psycopg2's invalid DSN.
 */
describe('typed connector errors', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startConnectorsAgent({ MCD_LOG_LEVEL: 'silent' });
  });
  afterAll(() => agent.close());

  it.each([
    [
      'an unterminated keyword/value string',
      "host=db password='open",
      'connection string: unterminated quoted value for password',
    ],
    ['a URI that does not parse', 'postgresql://[::1', 'connection string is not a valid postgresql:// URI'],
    [
      'an invalid sslmode',
      'postgresql://db/app?sslmode=sometimes',
      'connection string: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full',
    ],
  ])('answers %s as a DB-API ProgrammingError of type DatabaseError', async (_case, connectArgs, message) => {
    // Act
    const answer = await execute(agent, 'postgres', [{ method: 'cursor' }], { connect_args: connectArgs });

    // Assess
    expect(answer).toEqual({
      __mcd_error__: message,
      __mcd_exception__: `ProgrammingError: ${message}`,
      __mcd_stack_trace__: expect.any(Array),
      __mcd_error_type__: 'DatabaseError',
      __mcd_trace_id__: 'trace-1',
    });
  });
});
