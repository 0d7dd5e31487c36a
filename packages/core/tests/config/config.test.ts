import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config';

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    // Act
    const config = loadConfig({});

    // Assess
    expect(config).toMatchObject({
      port: 8081,
      listenHost: '127.0.0.1',
      logLevel: 'info',
      operationTimeoutSeconds: 870,
      limits: { maxCommands: 1000, maxChainDepth: 64, maxRequestBodyBytes: 33554432, maxJsonDepth: 256 },
      clientCache: { ttlSeconds: 60, maxEntries: 64 },
      server: { headersTimeoutMs: 10000, bodyIdleTimeoutMs: 10000, minBodyBytesPerSecond: 1024, maxConnections: 1024 },
      connectorModules: [],
      network: { allowLoopback: false, blockedCidrs: [], checkOutboundIpUrl: 'https://checkip.amazonaws.com' },
      storage: { type: undefined, path: './.artemis/storage', prefix: 'mcd' },
      preSignedUrlExpirationSeconds: 3600,
      externalCredentialsCacheTtlSeconds: 300,
      credentialsEnvVars: undefined,
      version: 'local',
      build: '0',
    });
  });

  it('parses lists, booleans and prefixes', () => {
    // Act
    const config = loadConfig({
      MCD_CONNECTOR_MODULES: ' ./a.mjs, /b.mjs ,',
      MCD_NETWORK_ALLOW_LOOPBACK: 'TRUE',
      MCD_NETWORK_BLOCKED_CIDRS: '10.0.0.0/8,fd00::/8',
      MCD_STORAGE_PREFIX: '/custom/',
      MCD_DEBUG: 'yes',
    });

    // Assess
    expect(config.connectorModules).toEqual(['./a.mjs', '/b.mjs']);
    expect(config.network.allowLoopback).toBe(true);
    expect(config.network.blockedCidrs).toEqual(['10.0.0.0/8', 'fd00::/8']);
    expect(config.storage.prefix).toBe('custom');
    expect(config.logLevel).toBe('debug');
  });

  it.each([
    [{ MCD_HTTP_ALLOW_LOOPBACK: 'true' }, true],
    [{ MCD_NETWORK_ALLOW_LOOPBACK: 'true' }, true],
    [{ MCD_NETWORK_ALLOW_LOOPBACK: 'false', MCD_HTTP_ALLOW_LOOPBACK: 'true' }, false],
    [{ MCD_NETWORK_ALLOW_LOOPBACK: 'true', MCD_HTTP_ALLOW_LOOPBACK: 'false' }, true],
  ])(
    'reads the loopback switch from MCD_NETWORK_ALLOW_LOOPBACK, MCD_HTTP_ALLOW_LOOPBACK its alias (%j)',
    (env, allowed) => {
      expect(loadConfig(env).network.allowLoopback).toBe(allowed);
    },
  );

  it('applies the blocked ranges of MCD_NETWORK_BLOCKED_CIDRS and of its alias MCD_HTTP_BLOCKED_CIDRS together', () => {
    // Act
    const config = loadConfig({
      MCD_NETWORK_BLOCKED_CIDRS: '10.0.0.0/8,192.168.0.0/16',
      MCD_HTTP_BLOCKED_CIDRS: '192.168.0.0/16,fd00::/8',
    });

    // Assess
    expect(config.network.blockedCidrs).toEqual(['10.0.0.0/8', '192.168.0.0/16', 'fd00::/8']);
  });

  it.each([
    ['', ''],
    ['/', ''],
  ])('treats MCD_STORAGE_PREFIX=%j as no prefix', (value, expected) => {
    expect(loadConfig({ MCD_STORAGE_PREFIX: value }).storage.prefix).toBe(expected);
  });

  it('names every invalid variable in one line', () => {
    // Act / Assess
    expect(() =>
      loadConfig({ PORT: '99999', MCD_HTTP_ALLOW_LOOPBACK: 'maybe', MCD_HTTP_BLOCKED_CIDRS: '10.0.0.0/33' }),
    ).toThrow(
      new ConfigError(
        "Invalid configuration: PORT: expected a port number from 0 to 65535 (got '99999'); " +
          "MCD_HTTP_ALLOW_LOOPBACK: expected true or false (got 'maybe'); " +
          "MCD_HTTP_BLOCKED_CIDRS: expected comma-separated CIDR ranges such as 10.0.0.0/8,fd00::/8 (got '10.0.0.0/33')",
      ),
    );
  });

  it('names an invalid value under the new network names too', () => {
    // Act / Assess
    expect(() => loadConfig({ MCD_NETWORK_ALLOW_LOOPBACK: 'maybe', MCD_NETWORK_BLOCKED_CIDRS: 'fd00::/129' })).toThrow(
      new ConfigError(
        "Invalid configuration: MCD_NETWORK_ALLOW_LOOPBACK: expected true or false (got 'maybe'); " +
          "MCD_NETWORK_BLOCKED_CIDRS: expected comma-separated CIDR ranges such as 10.0.0.0/8,fd00::/8 (got 'fd00::/129')",
      ),
    );
  });

  it('never echoes the value of a variable whose name looks secret', () => {
    // Act / Assess
    expect(() => loadConfig({ MCD_EXTERNAL_CREDENTIALS_CACHE_TTL_SECONDS: 'hunter2' })).toThrow(
      new ConfigError(
        'Invalid configuration: MCD_EXTERNAL_CREDENTIALS_CACHE_TTL_SECONDS: expected a non-negative integer',
      ),
    );
  });

  it('reads MCD_CREDENTIALS_ENV_VARS as names and PREFIX_* prefixes, unset meaning no allow-list', () => {
    // Act
    const listed = loadConfig({ MCD_CREDENTIALS_ENV_VARS: ' DB_CREDENTIALS, TEAM_* ' });
    const unset = loadConfig({});
    const invalid = () => loadConfig({ MCD_CREDENTIALS_ENV_VARS: 'DB-CREDS,*' });

    // Assess
    expect(listed.credentialsEnvVars).toEqual(['DB_CREDENTIALS', 'TEAM_*']);
    expect(unset.credentialsEnvVars).toBeUndefined();
    expect(invalid).toThrow(
      new ConfigError(
        'Invalid configuration: MCD_CREDENTIALS_ENV_VARS: expected comma-separated variable names or PREFIX_* prefixes',
      ),
    );
  });

  it('hides a password inside an echoed value', () => {
    // Act / Assess
    expect(() => loadConfig({ MCD_HTTP_BLOCKED_CIDRS: 'postgres://u:hunter2@db/x' })).toThrow(
      "MCD_HTTP_BLOCKED_CIDRS: expected comma-separated CIDR ranges such as 10.0.0.0/8,fd00::/8 (got 'postgres://u:__redacted__@db/x')",
    );
  });

  it.each([
    ['MCD_OPERATION_TIMEOUT_SECONDS', '0', 'expected a positive integer'],
    ['MCD_MAX_COMMANDS', '-1', 'expected a non-negative integer'],
    ['MCD_LOG_LEVEL', 'loud', 'expected one of "debug", "info", "warn", "error", "silent"'],
    ['MCD_CHECK_OUTBOUND_IP_URL', 'not a url', 'expected an absolute URL'],
  ])('rejects %s=%s', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(`Invalid configuration: ${name}: ${message} (got '${value}')`);
  });
});
