import {
  FAKE_AZURE_TOKEN,
  type FakeGcpSecretManager,
  type FakeKeyVault,
  fakeAzureClients,
  fakeGcpClients,
  startFakeGcpSecretManager,
  startFakeKeyVault,
} from '@artemis/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ECHO_PATH, echoConnectors, echoRequest } from '../support/echo-connector';
import { expectFreeOfSecrets } from '../support/secret-leaks';
import { startTestAgent, type TestAgent } from '../support/test-agent';

const GCP_PASSWORD = 'gcp-pw-Ma3Xc9';
const AKV_PASSWORD = 'akv-pw-Lw6Ej2';
const SECRETS = [GCP_PASSWORD, AKV_PASSWORD];
const VERSION = 'projects/acme/secrets/warehouse/versions/3';

const document = (password: string) => JSON.stringify({ connect_args: { host: 'db.cloud', user: 'svc', password } });

describe('GCP Secret Manager and Azure Key Vault through the execute route, real SDK clients against HTTP fakes', () => {
  let gcp: FakeGcpSecretManager;
  let vault: FakeKeyVault;
  let agent: TestAgent;
  beforeAll(async () => {
    [gcp, vault] = await Promise.all([startFakeGcpSecretManager(), startFakeKeyVault()]);
    gcp.versions.set(VERSION, document(GCP_PASSWORD));
    gcp.denied.add('projects/acme/secrets/hr/versions/1');
    vault.secrets.set('warehouse', document(AKV_PASSWORD));
    vault.denied.add('payroll');
    agent = await startTestAgent(
      { MCD_EXTERNAL_CREDENTIALS_CACHE_TTL_SECONDS: '0' },
      {
        connectors: echoConnectors,
        selfHostedCredentials: { gcp: fakeGcpClients(gcp), azure: fakeAzureClients(vault) },
      },
    );
  });
  beforeEach(() => {
    gcp.calls.length = 0;
    vault.calls.length = 0;
  });
  afterAll(async () => {
    expectFreeOfSecrets(agent.logs, SECRETS);
    await agent.close();
    await Promise.all([gcp.close(), vault.close()]);
  });

  const fetchEcho = async (envelope: Record<string, unknown>) => {
    const response = await agent.post(ECHO_PATH, echoRequest(envelope));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const failure = (message: string, errorType: string) => ({
    __mcd_error__: `Failed to read self-hosted credentials: ${message}`,
    __mcd_exception__: `SelfHostedCredentialsError: Failed to read self-hosted credentials: ${message}`,
    __mcd_stack_trace__: expect.any(Array),
    __mcd_error_type__: errorType,
    __mcd_trace_id__: 'trace-1',
  });

  describe('gcp_secret_manager', () => {
    it('accesses the full version name over the REST transport, with the client token, merged with connect_args', async () => {
      // Act
      const { status, body } = await fetchEcho({
        self_hosted_credentials_type: 'gcp_secret_manager',
        gcp_secret: VERSION,
        connect_args: { port: 5432 },
      });

      // Assess
      expect(status).toBe(200);
      expect(body.__mcd_result__).toEqual({
        connect_args: { host: 'db.cloud', user: 'svc', password: GCP_PASSWORD, port: 5432 },
      });
      expect(gcp.calls).toEqual([{ path: `/v1/${VERSION}:access`, authorization: 'Bearer fake-gcp-token' }]);
    });

    it('refuses a name that is not a full version name before calling the API', async () => {
      // Act
      const { status, body } = await fetchEcho({
        self_hosted_credentials_type: 'gcp_secret_manager',
        gcp_secret: 'warehouse',
      });

      // Assess
      expect(status).toBe(400);
      expect(body.__mcd_error__).toBe(
        'Failed to read self-hosted credentials: gcp_secret must be a full version name: projects/<project>/secrets/<secret>/versions/<version|latest>',
      );
      expect(gcp.calls).toEqual([]);
    });

    it.each([
      [
        'a missing version',
        'projects/acme/secrets/warehouse/versions/9',
        'Failed to fetch credentials from GCP Secret Manager: Secret Version [projects/acme/secrets/warehouse/versions/9] not found.',
        'NotFound',
      ],
      [
        'a denied secret',
        'projects/acme/secrets/hr/versions/1',
        "Failed to fetch credentials from GCP Secret Manager: Permission 'secretmanager.versions.access' denied for resource 'projects/acme/secrets/hr/versions/1'",
        'Permissions',
      ],
    ])('%s is HTTP 400 naming the store and the cause', async (_case, name, message, errorType) => {
      // Act
      const { status, body } = await fetchEcho({
        self_hosted_credentials_type: 'gcp_secret_manager',
        gcp_secret: name,
      });

      // Assess
      expect(status).toBe(400);
      expect(body).toEqual(failure(message, errorType));
    });

    it('a throttled access (RESOURCE_EXHAUSTED) is retried by the client library and succeeds', async () => {
      // Prepare
      gcp.throttle.remaining = 1;

      // Act
      const { status, body } = await fetchEcho({
        self_hosted_credentials_type: 'gcp_secret_manager',
        gcp_secret: VERSION,
      });

      // Assess
      expect(status).toBe(200);
      expect(body.__mcd_result__).toMatchObject({ connect_args: { password: GCP_PASSWORD } });
      expect(gcp.calls).toHaveLength(2);
    });
  });

  describe('gcp_secret_manager throttling past the retry budget', () => {
    it('is a clear error naming the quota, after the attempts the budget allows', async () => {
      // Prepare: the library's own retry settings with a 600 s budget (production: RESOURCE_EXHAUSTED is retried
      // from 2 s with doubling delays for at most the method's 60 s). The library reads the time from `Date`, so
      // the test owns that clock: each throttled answer moves it 210 s on, and the budget is spent after exactly
      // three attempts however slow the machine is. Only `Date` is faked: the library's short retry delays and its
      // per-attempt timeouts (the budget's remainder: never under 180 s) run on real timers.
      const BUDGET_MS = 600_000;
      const fastRetries = {
        interfaces: {
          'google.cloud.secretmanager.v1.SecretManagerService': {
            retry_params: {
              fast: {
                initial_retry_delay_millis: 5,
                retry_delay_multiplier: 1,
                max_retry_delay_millis: 5,
                initial_rpc_timeout_millis: BUDGET_MS,
                rpc_timeout_multiplier: 1,
                max_rpc_timeout_millis: BUDGET_MS,
                total_timeout_millis: BUDGET_MS,
              },
            },
            methods: {
              AccessSecretVersion: {
                timeout_millis: BUDGET_MS,
                retry_codes_name: 'resource_exhausted_unavailable',
                retry_params_name: 'fast',
              },
            },
          },
        },
      };
      const throttled = await startTestAgent(
        { MCD_EXTERNAL_CREDENTIALS_CACHE_TTL_SECONDS: '0' },
        {
          connectors: echoConnectors,
          selfHostedCredentials: { gcp: { ...fakeGcpClients(gcp), clientConfig: fastRetries } },
        },
      );
      jest.useFakeTimers({
        now: Date.now(),
        // Every clock API but `Date`.
        doNotFake: [
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'setImmediate',
          'clearImmediate',
          'setInterval',
          'clearInterval',
          'setTimeout',
          'clearTimeout',
        ],
      });
      gcp.throttle.remaining = 1_000;
      gcp.throttle.onThrottled = () => jest.setSystemTime(Date.now() + 210_000);

      try {
        // Act
        const response = await throttled.post(
          ECHO_PATH,
          echoRequest({ self_hosted_credentials_type: 'gcp_secret_manager', gcp_secret: VERSION }),
        );

        // Assess
        expect(response.status).toBe(400);
        const body = (await response.json()) as Record<string, unknown>;
        expect(body.__mcd_error__).toMatch(
          /^Failed to read self-hosted credentials: Failed to fetch credentials from GCP Secret Manager: Total timeout of API google.cloud.secretmanager.v1.SecretManagerService exceeded 600000 milliseconds retrying error Error: Quota exceeded for quota metric Access requests/,
        );
        expect(gcp.calls).toHaveLength(3);
      } finally {
        jest.useRealTimers();
        gcp.throttle.remaining = 0;
        gcp.throttle.onThrottled = undefined;
        await throttled.close();
      }
    });
  });

  describe('azure_key_vault', () => {
    it('answers the vault challenge with the token credential and reads the secret, merged with connect_args', async () => {
      // Act
      const { status, body } = await fetchEcho({
        self_hosted_credentials_type: 'azure_key_vault',
        akv_vault_url: vault.url,
        akv_secret: 'warehouse',
        connect_args: { port: 1433 },
      });

      // Assess
      expect(status).toBe(200);
      expect(body.__mcd_result__).toEqual({
        connect_args: { host: 'db.cloud', user: 'svc', password: AKV_PASSWORD, port: 1433 },
      });
      expect(vault.calls.map((call) => call.authorization)).toEqual(['', `Bearer ${FAKE_AZURE_TOKEN}`]);
      expect(vault.calls[1]?.path).toMatch(/^\/secrets\/warehouse\/?$/);
    });

    it.each([
      [
        'a missing secret',
        'nope',
        'Failed to fetch credentials from Azure Key Vault: RestError: A secret with (name/id) nope was not found in this key vault.',
        'NotFound',
      ],
      [
        'a denied secret',
        'payroll',
        'Failed to fetch credentials from Azure Key Vault: RestError: The user does not have secrets get permission on key vault for payroll',
        'Permissions',
      ],
    ])('%s is HTTP 400 naming the store and the cause', async (_case, name, message, errorType) => {
      // Act
      const { status, body } = await fetchEcho({
        self_hosted_credentials_type: 'azure_key_vault',
        akv_vault_url: vault.url,
        akv_secret: name,
      });

      // Assess
      expect(status).toBe(400);
      expect(body).toEqual(failure(message, errorType));
    });

    it('a throttled read (429 with Retry-After) is retried and succeeds', async () => {
      // Prepare
      vault.throttle.remaining = 1;

      // Act
      const { status, body } = await fetchEcho({
        self_hosted_credentials_type: 'azure_key_vault',
        akv_vault_url: vault.url,
        akv_secret: 'warehouse',
      });

      // Assess
      expect(status).toBe(200);
      expect(body.__mcd_result__).toMatchObject({ connect_args: { password: AKV_PASSWORD } });
      expect(vault.calls.filter((call) => call.authorization !== '').length).toBe(2);
    });

    it('throttling that outlasts the retries is a clear Throttled error', async () => {
      // Prepare
      vault.throttle.remaining = 100;

      // Act
      const { status, body } = await fetchEcho({
        self_hosted_credentials_type: 'azure_key_vault',
        akv_vault_url: vault.url,
        akv_secret: 'warehouse',
      });

      // Assess
      vault.throttle.remaining = 0;
      expect(status).toBe(400);
      expect(body).toEqual(
        failure('Failed to fetch credentials from Azure Key Vault: RestError: Rate limit is exceeded.', 'Throttled'),
      );
    });

    it.each([
      [
        { akv_secret: 'warehouse' },
        'Missing expected Azure Key Vault URL or name in credentials (akv_vault_url or akv_vault_name)',
      ],
      [
        { akv_secret: 'warehouse', akv_vault_name: 'evil.example/#' },
        'akv_vault_name: expected a Key Vault name (3-24 letters, digits or dashes)',
      ],
      [{ akv_secret: 'warehouse', akv_vault_url: 'http://vault.example' }, 'akv_vault_url: expected an https:// URL'],
      [
        { akv_vault_url: 'https://v.vault.azure.net' },
        'Missing expected Azure Key Vault secret name in credentials (akv_secret)',
      ],
    ])('an envelope %j is HTTP 400 without calling the vault', async (fields, message) => {
      // Act
      const { status, body } = await fetchEcho({ self_hosted_credentials_type: 'azure_key_vault', ...fields });

      // Assess
      expect(status).toBe(400);
      expect(body.__mcd_error__).toBe(`Failed to read self-hosted credentials: ${message}`);
      expect(vault.calls).toEqual([]);
    });
  });
});
