import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startTestAgent, type TestAgent } from '../support/test-agent';

const PLUGIN = new URL('../fixtures/ctp-plugin.mjs', import.meta.url).pathname;
const PASSWORD = 'route-secret-password';

const CUSTOM = {
  name: 'custom',
  steps: [],
  mapper: {
    field_map: {
      host: '{{ raw.server }}',
      port: '{{ raw.server_port | int }}',
      user: "{{ raw.login | default('admin') }}",
    },
  },
};

describe('credential pipelines over HTTP', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ MCD_CONNECTOR_MODULES: PLUGIN, MCD_CLIENT_CACHE_EXPIRATION_SECONDS: '60' });
  });
  afterAll(() => agent.close());

  const connectArgs = async (credentials: unknown, extra: Record<string, unknown> = {}, type = 'echo_ctp') =>
    (await execute(agent, [{ method: 'connect_args' }], { type, credentials, extra: { skip_cache: true, ...extra } }))
      .body;

  describe('the default pipeline', () => {
    it('shapes flat and pre-shaped credentials into the same connect_args', async () => {
      // Act
      const flat = await connectArgs({ host: 'db', port: '5439', db_name: 'dev', password: PASSWORD });
      const shaped = await connectArgs({ connect_args: { host: 'db', port: 5439, dbname: 'dev', password: PASSWORD } });

      // Assess
      const expected = { keepalives: 1, host: 'db', port: 5439, dbname: 'dev', password: PASSWORD };
      expect(flat.__mcd_result__).toEqual(expected);
      expect(shaped.__mcd_result__).toEqual(expected);
    });

    it('passes a connection-string connect_args and empty credentials unchanged', async () => {
      await expect(connectArgs({ connect_args: 'host=db port=5432' })).resolves.toMatchObject({
        __mcd_result__: 'host=db port=5432',
      });
      await expect(connectArgs({})).resolves.toMatchObject({ __mcd_result__: {} });
    });

    it('answers a pipeline failure as a client-creation error envelope, naming the key and not the secret', async () => {
      // Act
      const body = await connectArgs({ password: PASSWORD });

      // Assess
      expect(body).toEqual({
        __mcd_error__: "[mapper] 'host': 'host' is undefined",
        __mcd_exception__: "CtpPipelineError: [mapper] 'host': 'host' is undefined",
        __mcd_stack_trace__: expect.any(Array),
        __mcd_trace_id__: 'trace-1',
      });
      expect(JSON.stringify(agent.logs)).not.toContain(PASSWORD);
    });

    it('deletes the files a step wrote when the client is closed, and at once when creation fails', async () => {
      // Act: skip_cache closes the client after the request; the cached one lives until the agent closes.
      const closed = await connectArgs({ host: 'db', ca: 'CA PEM' });
      const cached = (
        await execute(agent, [{ method: 'connect_args' }], { type: 'echo_ctp', credentials: { host: 'h', ca: 'C2' } })
      ).body;
      const failed = await connectArgs({ ca: 'CA PEM' }, {}, 'failing_ctp');

      // Assess
      const closedPath = (closed.__mcd_result__ as { ca_path: string }).ca_path;
      const cachedPath = (cached.__mcd_result__ as { ca_path: string }).ca_path;
      const failedPath = /ca at (\S+)\)/.exec(String(failed.__mcd_error__))?.[1] as string;
      await expect(stat(closedPath)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(stat(failedPath)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(stat(cachedPath)).resolves.toBeDefined();
      await agent.close();
      await expect(stat(cachedPath)).rejects.toMatchObject({ code: 'ENOENT' });
      agent = await startTestAgent({ MCD_CONNECTOR_MODULES: PLUGIN, MCD_CLIENT_CACHE_EXPIRATION_SECONDS: '60' });
    });
  });

  describe('a ctp_config in the request', () => {
    it('reshapes the credentials instead of the default (and inherits its connect_args schema)', async () => {
      // Act
      const body = await connectArgs({ server: 'db2', server_port: '7000', password: PASSWORD }, {}, 'echo_ctp');
      const custom = (
        await agent.post('/api/v1/agent/execute/echo_ctp/op', {
          credentials: { server: 'db2', server_port: '7000' },
          operation: { trace_id: 't-custom', commands: [{ method: 'connect_args' }] },
          ctp_config: CUSTOM,
        })
      ).json();

      // Assess
      expect(body.__mcd_error__).toBe("[mapper] 'host': 'host' is undefined");
      await expect(custom).resolves.toEqual({
        __mcd_result__: { host: 'db2', port: 7000, user: 'admin' },
        __mcd_trace_id__: 't-custom',
      });
    });

    it.each([
      [
        '{{ raw.__proto__ }}',
        "Template syntax error in mapper.field_map['host']: attribute '__proto__' is not allowed at offset 7",
      ],
      [
        "{{ raw.constructor.constructor('return process')() }}",
        "Template syntax error in mapper.field_map['host']: attribute 'constructor' is not allowed at offset 7",
      ],
      [
        `{{ '${'x'.repeat(1024 * 1024)}' }}`,
        "Template syntax error in mapper.field_map['host']: template is longer than 16384 characters",
      ],
      [
        `{{ ${'('.repeat(200)}raw.x${')'.repeat(200)} }}`,
        "Template syntax error in mapper.field_map['host']: expression nested deeper than 32 levels at offset 35",
      ],
    ])('refuses the hostile template %#  with a 400, and the agent lives', async (template, problem) => {
      // Act
      const response = await agent.post('/api/v1/agent/execute/echo_ctp/op', {
        credentials: { password: PASSWORD },
        operation: { trace_id: 't-hostile', commands: [{ method: 'connect_args' }] },
        ctp_config: { mapper: { field_map: { host: template } } },
      });
      const health = await agent.get('/api/v1/test/health');

      // Assess
      expect(response.status).toBe(400);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toEqual({
        __mcd_error__: `Invalid ctp_config: ${problem}`,
        __mcd_exception__: `CtpConfigError: Invalid ctp_config: ${problem}`,
        __mcd_stack_trace__: expect.any(Array),
        __mcd_trace_id__: 't-hostile',
      });
      expect(health.status).toBe(200);
      expect(JSON.stringify([body, agent.logs])).not.toContain(PASSWORD);
    });

    it('refuses a ctp_config nested past the JSON depth limit with a 400', async () => {
      // Prepare
      let deep: unknown = 'x';
      for (let i = 0; i < 300; i++) deep = { a: deep };

      // Act
      const response = await agent.post('/api/v1/agent/execute/echo_ctp/op', {
        operation: { trace_id: 't-deep', commands: [] },
        ctp_config: { mapper: { field_map: { host: deep } } },
      });

      // Assess
      expect(response.status).toBe(400);
      await expect(response.json()).resolves.toMatchObject({ __mcd_error__: 'JSON nesting exceeds 256 levels' });
    });

    it('refuses an unknown transform or a missing mapper with a 400 naming the problem', async () => {
      // Act
      const unknown = await agent.post('/api/v1/agent/execute/echo_ctp/op', {
        operation: { trace_id: 't', commands: [] },
        ctp_config: { steps: [{ type: 'exec_shell', input: {}, output: {} }], mapper: { host: 'h' } },
      });
      const noMapper = await agent.post('/api/v1/agent/execute/echo_ctp/op', {
        operation: { trace_id: 't', commands: [] },
        ctp_config: { steps: [] },
      });

      // Assess
      expect(unknown.status).toBe(400);
      await expect(unknown.json()).resolves.toMatchObject({
        __mcd_error__: expect.stringMatching(
          /^Invalid ctp_config: \[transform_lookup\] Unknown transform type: 'exec_shell'\. Registered types: \['encode_basic_auth', /,
        ),
      });
      expect(noMapper.status).toBe(400);
      await expect(noMapper.json()).resolves.toMatchObject({
        __mcd_error__: "Invalid ctp_config: CtpConfig missing required field: 'mapper'",
      });
    });
  });

  describe('POST /api/v1/ctp/validate/{connection_type}', () => {
    const validate = async (type: string, body: unknown) => {
      const response = await agent.post(`/api/v1/ctp/validate/${type}`, body);
      return { status: response.status, trace: response.headers.get('x-mcd-trace-id'), body: await response.json() };
    };

    it("answers Apollo's unwrapped shape for a valid config", async () => {
      await expect(validate('echo_ctp', { ctp_config: CUSTOM, trace_id: 'v-1' })).resolves.toEqual({
        status: 200,
        trace: 'v-1',
        body: { valid: true, errors: [], warnings: [] },
      });
    });

    it('lists every problem: syntax, unknown transform, step keys, required keys', async () => {
      // Prepare
      const config = {
        steps: [
          { type: 'nope', input: {}, output: {} },
          { type: 'oauth', when: 'raw.x is', input: { oauth: '{{ raw.oauth }}', extra: 1 }, output: {} },
        ],
        mapper: { field_map: { port: '{{ raw.port ' } },
      };

      // Act
      const { status, body } = await validate('echo_ctp', { ctp_config: config });

      // Assess
      expect(status).toBe(200);
      expect(body).toEqual({
        valid: false,
        errors: [
          expect.stringMatching(/^\[transform_lookup\] Unknown transform type: 'nope'\. Registered types: \[/),
          "[transform_input] (step: oauth) Unknown input keys for oauth: ['extra']",
          "[transform_output] (step: oauth) 'token' is required in oauth output",
          "Template syntax error in step 'oauth' when: expected a test name at offset 12",
          "Template syntax error in mapper.field_map['port']: unclosed '{{' at offset 0",
        ],
        warnings: ["Mapper field_map may be missing required keys (steps may provide them): ['host']"],
      });
    });

    it('makes missing required keys an error when no step could provide them', async () => {
      await expect(validate('echo_ctp', { ctp_config: { mapper: { port: '{{ raw.port }}' } } })).resolves.toMatchObject(
        {
          body: { valid: false, errors: ["Mapper field_map is missing required keys: ['host']"], warnings: [] },
        },
      );
    });

    it('checks an unknown connection type on structure alone', async () => {
      await expect(validate('not-a-type', { ctp_config: CUSTOM })).resolves.toMatchObject({
        status: 200,
        body: { valid: true, errors: [], warnings: [] },
      });
    });

    it('answers bad bodies with a 400 in the same shape', async () => {
      // Act
      const notObject = await agent.post('/api/v1/ctp/validate/echo_ctp', '[1]');
      const missing = await validate('echo_ctp', { trace_id: 'v-2' });

      // Assess
      expect(notObject.status).toBe(400);
      await expect(notObject.json()).resolves.toEqual({ valid: false, errors: ['Request body must be a JSON object'] });
      expect(missing).toEqual({
        status: 400,
        trace: 'v-2',
        body: { valid: false, errors: ['ctp_config is required'] },
      });
    });
  });
});
