import { type FakeAws, fakeAwsClients, startFakeAws } from '@artemis/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config';
import { prepareEnvironment } from '../../src/credentials/prepare-environment';

/*
 * MCD_CONFIG_SOURCE=ssm:… through the real @aws-sdk/client-ssm against the HTTP-level fake (fake-aws.ts): a path
 * read page by page with SecureStrings decrypted, one parameter holding a JSON object, and the store's failures.
 */
const SECURE_SECRET = 'ssm-secure-Qx81Lw';
/** 25 parameters under /artemis/prod/ (3 pages of at most 10), some nested, some SecureString. */
const PRODUCTION: Record<string, string> = {
  '/artemis/prod/MCD_LOG_LEVEL': 'warn',
  '/artemis/prod/MCD_STORAGE_PREFIX': 'from-ssm',
  '/artemis/prod/network/MCD_HTTP_BLOCKED_CIDRS': '10.0.0.0/8,fd00::/8',
  '/artemis/prod/storage/MCD_STORAGE_SECRET_KEY': SECURE_SECRET,
  ...Object.fromEntries(
    Array.from({ length: 21 }, (_, i) => [`/artemis/prod/extra/MCD_EXTRA_${String(i).padStart(2, '0')}`, `v${i}`]),
  ),
};

describe('MCD_CONFIG_SOURCE=ssm:', () => {
  let fake: FakeAws;
  beforeAll(async () => {
    fake = await startFakeAws();
    for (const [name, value] of Object.entries(PRODUCTION)) fake.parameters.set(name, value);
    fake.plainParameters.add('/artemis/prod/MCD_LOG_LEVEL');
    fake.parameters.set('/artemis/other/MCD_LOG_LEVEL', 'error');
    fake.parameters.set('/artemis/json', JSON.stringify({ MCD_LOG_LEVEL: 'debug', MCD_MAX_COMMANDS: 50 }));
    fake.parameters.set('/artemis/twice/a/MCD_LOG_LEVEL', 'warn');
    fake.parameters.set('/artemis/twice/b/MCD_LOG_LEVEL', 'error');
    fake.denied.add('/artemis/denied/');
  });
  beforeEach(() => {
    fake.calls.length = 0;
    fake.throttle.remaining = 0;
  });
  afterAll(() => fake.close());

  const prepare = (env: Record<string, string | undefined>, aws: Record<string, unknown> = {}) =>
    prepareEnvironment(env, { aws: { ...fakeAwsClients(fake), ...aws } });

  it('applies every parameter under the path, recursively, 3 pages, SecureStrings decrypted, named by the last segment', async () => {
    // Prepare
    const env: Record<string, string | undefined> = { MCD_CONFIG_SOURCE: 'ssm:/artemis/prod/' };

    // Act
    const prepared = await prepare(env);
    const config = loadConfig(env);

    // Assess
    const names = Object.keys(PRODUCTION).map((path) => path.slice(path.lastIndexOf('/') + 1));
    expect(prepared.configSourceVariables).toEqual(expect.arrayContaining(names));
    expect(prepared.configSourceVariables).toHaveLength(25);
    expect(env.MCD_STORAGE_SECRET_KEY).toBe(SECURE_SECRET);
    expect(env.MCD_EXTRA_20).toBe('v20');
    expect(config.logLevel).toBe('warn');
    expect(config.storage.prefix).toBe('from-ssm');
    expect(config.network.blockedCidrs).toEqual(['10.0.0.0/8', 'fd00::/8']);
    expect(fake.calls.map((call) => call.operation)).toEqual(Array(3).fill('AmazonSSM.GetParametersByPath'));
    expect(fake.calls.map((call) => call.input)).toEqual([
      { Path: '/artemis/prod/', Recursive: true, WithDecryption: true, MaxResults: 10 },
      expect.objectContaining({ NextToken: expect.any(String) }),
      expect.objectContaining({ NextToken: expect.any(String) }),
    ]);
    expect(prepared.notes[0]).toMatch(/^Configuration source ssm:\/artemis\/prod\/: 25 variables applied \(MCD_/);
    expect(prepared.notes[1]).toBe(
      `Configuration source ssm:/artemis/prod/: not read by the agent: ${names.filter((n) => n.startsWith('MCD_EXTRA')).join(', ')}`,
    );
    expect(JSON.stringify(prepared.notes)).not.toContain(SECURE_SECRET);
  });

  it('leaves a variable the environment sets, unless MCD_CONFIG_SOURCE_OVERRIDES is true', async () => {
    // Prepare
    const kept: Record<string, string | undefined> = {
      MCD_CONFIG_SOURCE: 'ssm:/artemis/other/',
      MCD_LOG_LEVEL: 'info',
    };
    const overridden: Record<string, string | undefined> = { ...kept, MCD_CONFIG_SOURCE_OVERRIDES: 'true' };

    // Act
    const keptNotes = await prepare(kept);
    const overriddenNotes = await prepare(overridden);

    // Assess
    expect(kept.MCD_LOG_LEVEL).toBe('info');
    expect(keptNotes).toEqual({
      notes: [
        'Configuration source ssm:/artemis/other/: 0 variables applied; 1 variable left as the environment sets them (MCD_LOG_LEVEL)',
      ],
      configSourceVariables: [],
    });
    expect(overridden.MCD_LOG_LEVEL).toBe('error');
    expect(overriddenNotes).toEqual({
      notes: ['Configuration source ssm:/artemis/other/: 1 variable applied (MCD_LOG_LEVEL)'],
      configSourceVariables: ['MCD_LOG_LEVEL'],
    });
  });

  it('fills a variable the environment sets empty (empty counts as unset, as the configuration reads it)', async () => {
    // Prepare
    const env: Record<string, string | undefined> = { MCD_CONFIG_SOURCE: 'ssm:/artemis/other/', MCD_LOG_LEVEL: '' };

    // Act
    const prepared = await prepare(env);

    // Assess
    expect(env.MCD_LOG_LEVEL).toBe('error');
    expect(prepared.configSourceVariables).toEqual(['MCD_LOG_LEVEL']);
  });

  it('reads one parameter holding a JSON object (no trailing slash), decrypted', async () => {
    // Prepare
    const env: Record<string, string | undefined> = { MCD_CONFIG_SOURCE: 'ssm:/artemis/json' };

    // Act
    await prepare(env);

    // Assess
    expect(env).toMatchObject({ MCD_LOG_LEVEL: 'debug', MCD_MAX_COMMANDS: '50' });
    expect(fake.calls).toEqual([
      expect.objectContaining({
        operation: 'AmazonSSM.GetParameter',
        input: { Name: '/artemis/json', WithDecryption: true },
      }),
    ]);
  });

  it('rides out throttling within the SDK retries', async () => {
    // Prepare
    fake.throttle.remaining = 2;
    const env: Record<string, string | undefined> = { MCD_CONFIG_SOURCE: 'ssm:/artemis/other/' };

    // Act
    await prepare(env, { maxAttempts: 3 });

    // Assess
    expect(env.MCD_LOG_LEVEL).toBe('error');
    expect(fake.calls).toHaveLength(3);
  });

  it.each([
    [
      'a missing path',
      'ssm:/artemis/missing/',
      0,
      'MCD_CONFIG_SOURCE ssm:/artemis/missing/: no parameters under this path (a missing path, or none readable)',
    ],
    [
      'access denied',
      'ssm:/artemis/denied/',
      0,
      'MCD_CONFIG_SOURCE ssm:/artemis/denied/: cannot read AWS SSM Parameter Store: AccessDeniedException: User is not authorized to perform ssm:GetParametersByPath on /artemis/denied/',
    ],
    [
      'throttling past the SDK retries',
      'ssm:/artemis/prod/',
      5,
      'MCD_CONFIG_SOURCE ssm:/artemis/prod/: cannot read AWS SSM Parameter Store: ThrottlingException: Rate exceeded',
    ],
    [
      'a missing parameter',
      'ssm:/artemis/none',
      0,
      'MCD_CONFIG_SOURCE ssm:/artemis/none: cannot read AWS SSM Parameter Store: ParameterNotFound: UnknownError',
    ],
    [
      'two parameters naming one variable',
      'ssm:/artemis/twice/',
      0,
      'MCD_CONFIG_SOURCE ssm:/artemis/twice/: parameters /artemis/twice/a/MCD_LOG_LEVEL and /artemis/twice/b/MCD_LOG_LEVEL both name MCD_LOG_LEVEL',
    ],
  ])(
    'stops start-up on %s with one line naming the source, and applies nothing',
    async (_case, source, throttled, line) => {
      // Prepare
      fake.throttle.remaining = throttled;
      const env: Record<string, string | undefined> = { MCD_CONFIG_SOURCE: source };

      // Act
      const preparing = prepare(env, { maxAttempts: 2 });

      // Assess
      await expect(preparing).rejects.toThrow(new ConfigError(line));
      expect(Object.keys(env)).toEqual(['MCD_CONFIG_SOURCE']);
    },
  );
});
