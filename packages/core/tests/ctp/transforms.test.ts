import { createHmac, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import {
  fakeAwsClients,
  REDSHIFT_PASSWORD,
  selfSignedCertificate,
  sendJson,
  startFakeAws,
  startLocalHttpServer,
} from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { envelopeAwsConfig } from '../../src/credentials/envelope-aws-config';
import { runPipeline } from '../../src/ctp/run-pipeline';
import { ForbiddenError } from '../../src/errors/agent-errors';
import { NetworkGuard } from '../../src/network/network-guard';
import { compiled, testServices } from './support';

/** One step whose outputs are mapped straight into the result, to observe what a transform derives. */
const oneStep = (type: string, input: Record<string, unknown>, output: Record<string, string>) =>
  compiled({
    steps: [{ type, input, output }],
    mapper: Object.fromEntries(Object.values(output).map((name) => [name, `{{ derived.${name} | default(none) }}`])),
  });

describe('CTP transforms', () => {
  it('resolve_ssl_options writes the PEMs to temp files and derives TLS options and the sslmode', async () => {
    // Prepare
    const { cert, key } = selfSignedCertificate();
    const services = await testServices();
    const step = oneStep(
      'resolve_ssl_options',
      { ssl_options: '{{ raw.ssl_options }}' },
      { ca_path: 'ca', cert_path: 'cert', key_path: 'key', ssl_context: 'tls', ssl_mode: 'mode' },
    );

    // Act
    const verified = await runPipeline(
      step,
      { ssl_options: { ca_data: cert, cert_data: cert, key_data: key } },
      {},
      services,
    );
    const skipped = await runPipeline(
      step,
      { ssl_options: { ca_data: cert, skip_cert_verification: true } },
      {},
      services,
    );
    const disabled = await runPipeline(step, { ssl_options: { disabled: true } }, {}, services);
    const invalid = await runPipeline(step, { ssl_options: { key_data: key } }, {}, services).catch((e: Error) => e);

    // Assess
    const paths = verified as { ca: string; cert: string; key: string };
    await expect(readFile(paths.ca, 'utf8')).resolves.toBe(cert);
    await expect(readFile(paths.key, 'utf8')).resolves.toBe(key);
    expect((await stat(paths.key)).mode & 0o777).toBe(0o600);
    expect(verified).toMatchObject({ tls: { ca: cert, cert, key, rejectUnauthorized: true, verify_identity: true } });
    expect(verified).not.toHaveProperty('mode');
    expect(skipped).toMatchObject({ mode: 'require', tls: { rejectUnauthorized: false, verify_identity: false } });
    expect(disabled).toEqual({ mode: 'disable' });
    expect((invalid as Error).message).toBe(
      '[transform_execute] (step: resolve_ssl_options) key_data is provided, but ssl_cert_data is missing.',
    );
    await services.tempFiles.deleteAll();
    await expect(stat(paths.ca)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('load_private_key decrypts an encrypted PKCS#8 PEM into DER (and PEM) without echoing the passphrase', async () => {
    // Prepare
    const passphrase = 'key-passphrase-123';
    const { privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const step = oneStep(
      'load_private_key',
      { pem: '{{ raw.key }}', password: '{{ raw.pass }}' },
      {
        private_key: 'der',
        pem: 'clear',
      },
    );
    const services = await testServices();

    // Act
    const loaded = (await runPipeline(step, { key: privateKey, pass: passphrase }, {}, services)) as {
      der: Buffer;
      clear: string;
    };
    const wrong = await runPipeline(step, { key: privateKey, pass: 'not-it' }, {}, services).catch((e: Error) => e);

    // Assess
    const expected = createPrivateKey({ key: privateKey, passphrase }).export({ type: 'pkcs8', format: 'der' });
    expect(Buffer.from(loaded.der).equals(expected)).toBe(true);
    expect(loaded.clear).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect((wrong as Error).message).toMatch(
      /^\[transform_execute\] \(step: load_private_key\) Failed to load private key: /,
    );
    expect((wrong as Error).message).not.toContain('not-it');
  });

  it('generate_jwt signs an HS256 Tableau connected-app token with the injected clock', async () => {
    // Prepare
    const step = oneStep(
      'generate_jwt',
      { username: 'ada', client_id: 'cid', secret_id: 'sid', secret_value: 'shh', expiration_seconds: 60 },
      { token: 'jwt' },
    );

    // Act
    const { jwt } = (await runPipeline(step, {}, {}, await testServices())) as { jwt: string };

    // Assess
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    expect(decode(header)).toEqual({ alg: 'HS256', typ: 'JWT', iss: 'cid', kid: 'sid' });
    expect(decode(payload)).toMatchObject({
      iss: 'cid',
      sub: 'ada',
      aud: 'tableau',
      exp: Date.UTC(2030, 0, 1) / 1000 + 60,
    });
    expect(signature).toBe(createHmac('sha256', 'shh').update(`${header}.${payload}`).digest('base64url'));
  });

  describe('oauth and fetch_remote_file, through the SSRF guard', () => {
    const requests: { path: string; authorization: string; form: Record<string, string> }[] = [];
    let server: Awaited<ReturnType<typeof startLocalHttpServer>>;
    beforeAll(async () => {
      server = await startLocalHttpServer((request, body, response) => {
        const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
        requests.push({ path: request.url ?? '', authorization: String(request.headers.authorization), form });
        if (request.url === '/ca.pem') return void response.writeHead(200).end('REMOTE CA');
        if (request.url?.startsWith('/missing')) return void response.writeHead(404).end('no');
        if (form.client_secret !== 'client-secret') return sendJson(response, 401, { error: 'invalid_client' });
        if (form.grant_type === 'refresh_token') {
          return sendJson(response, 200, { access_token: `refreshed-${form.refresh_token}`, expires_in: 60 });
        }
        sendJson(response, 200, { access_token: 'access-123', token_type: 'Bearer', refresh_token: 'r-1' });
      });
    });
    afterAll(() => server.close());

    const oauthStep = oneStep('oauth', { oauth: '{{ raw.oauth }}' }, { token: 'token', refresh_token: 'refresh' });
    const config = (extra: Record<string, unknown> = {}) => ({
      client_id: 'client-1',
      client_secret: 'client-secret',
      access_token_endpoint: `${server.url}/token`,
      grant_type: 'client_credentials',
      scope: 'read',
      ...extra,
    });

    it('fetches a client-credentials token with Basic auth and form parameters', async () => {
      // Act
      const output = await runPipeline(oauthStep, { oauth: config() }, {}, await testServices());

      // Assess
      expect(output).toEqual({ token: 'access-123', refresh: 'r-1' });
      expect(requests.at(-1)).toEqual({
        path: '/token',
        authorization: `Basic ${Buffer.from('client-1:client-secret').toString('base64')}`,
        form: {
          grant_type: 'client_credentials',
          client_id: 'client-1',
          client_secret: 'client-secret',
          scope: 'read',
        },
      });
    });

    it('fetches a token by the refresh-token grant', async () => {
      // Act
      const output = await runPipeline(
        oauthStep,
        { oauth: config({ grant_type: 'refresh_token', refresh_token: 'r-9' }) },
        {},
        await testServices(),
      );

      // Assess
      expect(output).toEqual({ token: 'refreshed-r-9' });
      expect(requests.at(-1)?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'r-9' });
    });

    it('reports a refused token request and a missing grant field without the secret', async () => {
      // Act
      const refused = await runPipeline(
        oauthStep,
        { oauth: config({ client_secret: 'wrong-secret' }) },
        {},
        await testServices(),
      ).catch((e: Error) => e);
      const incomplete = await runPipeline(
        oauthStep,
        { oauth: config({ grant_type: 'password' }) },
        {},
        await testServices(),
      ).catch((e: Error) => e);

      // Assess
      expect((refused as Error).message).toBe('[transform_execute] (step: oauth) Token endpoint returned HTTP 401');
      expect((incomplete as Error).message).toBe(
        "[transform_execute] (step: oauth) 'username' is required in oauth config for password grant",
      );
    });

    it('is refused by the guard when the token endpoint is a forbidden address', async () => {
      // Prepare
      const services = await testServices({
        network: () => new NetworkGuard({ allowLoopback: false, blockedCidrs: [] }),
      });

      // Act
      const error = await runPipeline(oauthStep, { oauth: config() }, {}, services).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(JSON.stringify((error as Error).message)).not.toContain('client-secret');
    });

    it('fetch_remote_file downloads to a temp file; a missing file is an error naming the URL without its query', async () => {
      // Prepare
      const step = oneStep('fetch_remote_file', { url: '{{ raw.url }}', sub_folder: 'mysql' }, { path: 'path' });
      const services = await testServices();

      // Act
      const { path } = (await runPipeline(step, { url: `${server.url}/ca.pem` }, {}, services)) as { path: string };
      const missing = await runPipeline(step, { url: `${server.url}/missing?X-Amz-Signature=sig` }, {}, services).catch(
        (e: Error) => e,
      );

      // Assess
      await expect(readFile(path, 'utf8')).resolves.toBe('REMOTE CA');
      expect(path.startsWith(`${services.folder}/artemis-ctp/mysql/`)).toBe(true);
      expect((missing as Error).message).toBe(
        `[transform_execute] (step: fetch_remote_file) Failed to download ${server.url}/missing: HTTP 404`,
      );
    });
  });

  describe('resolve_redshift_credentials against an HTTP fake of AWS, through the real SDK', () => {
    let fake: Awaited<ReturnType<typeof startFakeAws>>;
    beforeAll(async () => {
      fake = await startFakeAws();
    });
    afterAll(() => fake.close());

    const step = oneStep(
      'resolve_redshift_credentials',
      {
        cluster_identifier: '{{ raw.cluster | default(none) }}',
        workgroup_name: '{{ raw.workgroup | default(none) }}',
        db_user: '{{ raw.db_user | default(none) }}',
        db_name: 'dev',
        aws_region: 'eu-west-1',
        assumable_role: '{{ raw.role | default(none) }}',
        external_id: '{{ raw.external_id | default(none) }}',
        duration_seconds: 900,
      },
      { user: 'user', password: 'password' },
    );
    const services = () =>
      testServices({
        awsClientConfig: (session) =>
          envelopeAwsConfig(session, { env: {}, clients: { aws: fakeAwsClients(fake) }, fileDirs: [] }),
      });

    it('GetClusterCredentials for a provisioned cluster, after assuming the role', async () => {
      // Act
      const output = await runPipeline(
        step,
        { cluster: 'analytics', db_user: 'alice', role: 'arn:aws:iam::1:role/reader', external_id: 'ext-1' },
        {},
        await services(),
      );

      // Assess
      expect(output).toEqual({ user: 'IAM:alice', password: REDSHIFT_PASSWORD });
      const [assume, credentials] = fake.calls.slice(-2);
      expect(assume).toMatchObject({
        operation: 'sts.AssumeRole',
        input: { RoleArn: 'arn:aws:iam::1:role/reader', ExternalId: 'ext-1' },
      });
      expect(credentials).toMatchObject({
        operation: 'redshift.GetClusterCredentials',
        input: { ClusterIdentifier: 'analytics', DbUser: 'alice', DbName: 'dev', DurationSeconds: '900' },
        securityToken: 'assumed-token',
      });
    });

    it('GetCredentials for a Redshift Serverless workgroup', async () => {
      // Act
      const output = await runPipeline(step, { workgroup: 'wg1' }, {}, await services());

      // Assess
      expect(output).toEqual({ user: 'IAMR:wg1', password: REDSHIFT_PASSWORD });
      expect(fake.calls.at(-1)).toMatchObject({
        operation: 'RedshiftServerless.GetCredentials',
        input: { workgroupName: 'wg1', dbName: 'dev', durationSeconds: 900 },
      });
    });

    it('reports a refused call as a pipeline error', async () => {
      // Prepare
      fake.denied.add('locked');

      // Act
      const error = await runPipeline(step, { cluster: 'locked', db_user: 'alice' }, {}, await services()).catch(
        (e: Error) => e,
      );

      // Assess
      expect((error as Error).message).toBe(
        '[transform_execute] (step: resolve_redshift_credentials) Failed to get Redshift cluster credentials: Not authorized for cluster locked',
      );
    });
  });
});
