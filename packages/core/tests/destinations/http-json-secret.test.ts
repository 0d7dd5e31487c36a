import { describe, expect, it } from '@jest/globals';
import { isUnder } from '../../src/destinations/http-json-destination';
import {
  closeAfterEach,
  deliverAndWait,
  ndjson,
  range,
  receivedIds,
  seedPayload,
  startDeliveryWorld,
  startFileServer,
} from './support/delivery-fixtures';

/*
 * http-json's auth headers (issue 15): they come from the secret MCD_DESTINATION_CREDENTIALS names, never from the
 * payload, and go only to URLs under the secret's `url_prefix`, compared as the request will be sent.
 */
closeAfterEach();

/**
 * A world whose http-json secret (an environment variable of the agent, read when a delivery starts) is made from the
 * world's own mock destination URL.
 */
async function worldWithSecret(secretFor: (destinationUrl: URL) => Record<string, unknown>) {
  const env: Record<string, string> = {};
  const world = await startDeliveryWorld(
    {
      MCD_DESTINATION_CREDENTIALS: JSON.stringify({
        'http-json': { self_hosted_credentials_type: 'env_var', env_var_name: 'CRM_SECRET' },
      }),
    },
    { agent: { env } },
  );
  env.CRM_SECRET = JSON.stringify(secretFor(new URL(world.mock.destinationUrl)));
  return world;
}

const headers = { Authorization: 'Bearer crm-key-5c4b' };

describe('the http-json secret', () => {
  it('sends its headers with every batch to a URL under its url_prefix', async () => {
    // Prepare
    const world = await worldWithSecret((url) => ({ headers, url_prefix: `${url.origin}/mock/` }));
    const file = await startFileServer(ndjson(1200));
    // Act
    const { status } = await deliverAndWait(world, 'http-json', seedPayload(world.mock, file.url));
    // Assess
    expect(receivedIds(world.mock)).toEqual(range(1, 1200));
    expect(world.mock.requests.map((request) => request.headers.authorization)).toEqual([
      'Bearer crm-key-5c4b',
      'Bearer crm-key-5c4b',
      'Bearer crm-key-5c4b',
    ]);
    expect(status).toMatchObject({ __mcd_result__: { state: 'succeeded', records_sent: 1200 } });
  });

  it.each([
    ['a sibling path that only starts with the prefix text', '/mockery/destination'],
    ['a path that climbs out of the prefix', '/mock/../admin/destination'],
    ['a path that climbs out in percent-encoding', '/mock/%2e%2e/admin/destination'],
  ])('refuses %s before any request is sent, and the delivery fails saying why', async (_case, path) => {
    // Prepare: the prefix is the mock's own origin and /mock, written without its trailing slash.
    const world = await worldWithSecret((url) => ({ headers, url_prefix: `${url.origin}/mock` }));
    const origin = new URL(world.mock.destinationUrl).origin;
    const file = await startFileServer(ndjson(3));
    // Act
    const { final, status } = await deliverAndWait(
      world,
      'http-json',
      seedPayload(world.mock, file.url, { settings: { url: `${origin}${path}` } }),
    );
    // Assess
    const reason = `The destination cannot be used: settings.url is not under the url_prefix of the http-json secret (${origin}/mock)`;
    expect(final).toMatchObject({ state: 'failed', reason });
    expect(status).toMatchObject({ __mcd_error__: reason, __mcd_error_type__: 'DeliveryFailed' });
    expect(world.mock.requests).toEqual([]);
  });
});

describe('isUnder', () => {
  it.each([
    ['https://api.crm.example/v1/contacts', 'https://api.crm.example/', true],
    ['https://api.crm.example/v1/contacts', 'https://api.crm.example/v1', true],
    ['https://api.crm.example/v1', 'https://api.crm.example/v1', true],
    ['https://api.crm.example:443/v1/contacts', 'https://api.crm.example/v1/', true],
    ['https://api.crm.example/v10/contacts', 'https://api.crm.example/v1', false],
    ['https://api.crm.example.evil.com/v1/contacts', 'https://api.crm.example', false],
    ['https://api.crm.example@evil.com/v1/contacts', 'https://api.crm.example', false],
    ['https://user:pass@api.crm.example/v1/contacts', 'https://api.crm.example/', false],
    ['http://api.crm.example/v1/contacts', 'https://api.crm.example/', false],
    ['https://api.crm.example:8443/v1/contacts', 'https://api.crm.example/', false],
    ['https://api.crm.example/v1/../admin', 'https://api.crm.example/v1/', false],
    ['https://api.crm.example/v1/%2e%2e/admin', 'https://api.crm.example/v1/', false],
    ['https://API.CRM.example/v1/contacts', 'https://api.crm.example/v1/', true],
  ])('%s under %s: %s', (url, prefix, expected) => {
    // Act
    const under = isUnder(url, prefix);
    // Assess
    expect(under).toBe(expected);
  });
});
