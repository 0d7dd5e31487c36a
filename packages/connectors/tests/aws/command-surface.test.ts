import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';

/** Commands reach what boto3 offers, not the helpers behind it (proxy-client members are now reachable). */
describe('aws connectors: the command surface', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startConnectorsAgent();
  });
  afterAll(() => agent.close());

  it("does not expose the page iterator's internal pages() (boto3's PageIterator has none)", async () => {
    // Act: the pages are never fetched, so no endpoint is needed.
    const answer = await execute(
      agent,
      'glue',
      [
        { method: 'get_paginator', args: ['get_databases'], store: 'paginator' },
        { target: 'paginator', method: 'paginate', store: 'pages' },
        { target: 'pages', method: 'pages' },
      ],
      { aws_region: 'eu-west-1', aws_access_key_id: 'AKIDLOCAL', aws_secret_access_key: 'local-secret' },
    );

    // Assess
    expect(answer.__mcd_error__).toBe('Failed to resolve method pages on PageIterator');
  });
});
