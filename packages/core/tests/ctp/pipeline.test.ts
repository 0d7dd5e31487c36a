import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { CtpPipelineError } from '../../src/ctp/ctp-errors';
import { runPipeline } from '../../src/ctp/run-pipeline';
import type { StepRun, Transform } from '../../src/ctp/transforms/transform';
import { compiled, testServices } from './support';

const PASSWORD = 'pipeline-secret-pw';

describe('running a credential pipeline', () => {
  it('renders the mapper, drops none, coerces to the schema and lays the result over the defaults', async () => {
    // Prepare
    const pipeline = compiled(
      {
        mapper: {
          field_map: {
            host: '{{ raw.host }}',
            port: '{{ raw.port | default(5432) }}',
            password: '{{ raw.password }}',
            sslmode: '{{ raw.ssl_mode | default(none) }}',
            keepalives: 1,
          },
        },
        connect_args_defaults: { keepalives: 0, connect_timeout: 30 },
      },
      { config: {}, connectArgs: { required: ['host'], types: { port: 'int', password: 'str' } } },
    );

    // Act
    const output = await runPipeline(pipeline, { host: 'db', port: '6543', password: 1234 }, {}, await testServices());

    // Assess
    expect(output).toEqual({ connect_timeout: 30, keepalives: 1, host: 'db', port: 6543, password: '1234' });
  });

  it('accepts the shorthand mapper (the whole object is the field_map) and passthrough', async () => {
    // Act
    const short = await runPipeline(
      compiled({ mapper: { user: '{{ raw.u }}' } }),
      { u: 'ada' },
      {},
      await testServices(),
    );
    const passthrough = await runPipeline(
      compiled({ mapper: { field_map: {}, passthrough: true } }),
      { a: 1, b: [2] },
      {},
      await testServices(),
    );

    // Assess
    expect(short).toEqual({ user: 'ada' });
    expect(passthrough).toEqual({ a: 1, b: [2] });
  });

  it('runs a step only when its condition holds, and its field_map wins over the mapper only then', async () => {
    // Prepare
    const pipeline = compiled({
      steps: [
        {
          type: 'encode_basic_auth',
          when: 'raw.username is defined',
          input: { username: '{{ raw.username }}', password: '{{ raw.password }}' },
          output: { token: 'basic' },
          field_map: { token: '{{ derived.basic }}', kind: 'Basic' },
        },
      ],
      mapper: { field_map: { token: '{{ raw.token | default(none) }}', kind: 'Bearer' } },
    });

    // Act
    const withUser = await runPipeline(pipeline, { username: 'u', password: 'p' }, {}, await testServices());
    const withToken = await runPipeline(pipeline, { token: 't' }, {}, await testServices());

    // Assess
    expect(withUser).toEqual({ token: Buffer.from('u:p').toString('base64'), kind: 'Basic' });
    expect(withToken).toEqual({ token: 't', kind: 'Bearer' });
  });

  it('names the stage, the step and the key of a failure, never a value', async () => {
    // Prepare
    const missing = compiled({ mapper: { field_map: { password: '{{ raw.password }}', user: '{{ raw.user }}' } } });
    const required = compiled(
      { mapper: { field_map: { host: '{{ raw.host | default(none) }}' } } },
      {
        config: {},
        connectArgs: { required: ['host'] },
      },
    );
    const failing = compiled({
      steps: [{ type: 'load_private_key', input: { pem: '{{ raw.password }}' }, output: { private_key: 'k' } }],
      mapper: {},
    });
    const services = await testServices();

    // Act
    const errors = await Promise.all([
      runPipeline(missing, { password: PASSWORD }, {}, services).catch((e: unknown) => e),
      runPipeline(required, {}, {}, services).catch((e: unknown) => e),
      runPipeline(failing, { password: PASSWORD }, {}, services).catch((e: unknown) => e),
    ]);

    // Assess
    expect(errors.every((error) => error instanceof CtpPipelineError)).toBe(true);
    expect(errors.map((error) => (error as Error).message)).toEqual([
      "[mapper] 'user': 'user' is undefined",
      "[mapper_validation] Missing required fields: ['host']",
      expect.stringMatching(/^\[transform_execute\] \(step: load_private_key\) Failed to load private key: /),
    ]);
    expect(JSON.stringify(errors.map((error) => (error as Error).message))).not.toContain(PASSWORD);
  });

  it('scrubs raw and derived state when the run ends, and leaves the caller credentials untouched', async () => {
    // Prepare: a connector-specific transform that keeps its StepRun past the run.
    let kept: StepRun | undefined;
    const keep: Transform = {
      requiredInput: ['secret'],
      requiredOutput: ['copy'],
      run(step) {
        kept = step;
        step.derive('copy', step.input('secret'));
      },
    };
    const pipeline = compiled(
      {
        steps: [{ type: 'keep', input: { secret: '{{ raw.password }}' }, output: { copy: 'copy' } }],
        mapper: { password: '{{ derived.copy }}' },
      },
      { config: {}, transforms: { keep } },
    );
    const credentials = { password: PASSWORD };

    // Act
    const output = await runPipeline(pipeline, credentials, {}, await testServices());

    // Assess
    expect(output).toEqual({ password: PASSWORD });
    expect(credentials).toEqual({ password: PASSWORD });
    expect(() => kept?.input('secret')).toThrow("'password' is undefined");
  });

  it('writes step files under the temp folder, owner-only, and deletes them with the client', async () => {
    // Prepare
    const pipeline = compiled({
      steps: [
        {
          type: 'tmp_file_write',
          input: { contents: '{{ raw.ca }}', file_suffix: '.pem', mode: '0644' },
          output: { path: 'ca_path' },
          field_map: { sslrootcert: '{{ derived.ca_path }}' },
        },
      ],
      mapper: {},
    });
    const services = await testServices();

    // Act
    const { sslrootcert } = (await runPipeline(pipeline, { ca: 'PEM TEXT' }, {}, services)) as { sslrootcert: string };
    const written = { text: await readFile(sslrootcert, 'utf8'), mode: (await stat(sslrootcert)).mode & 0o777 };
    await services.tempFiles.deleteAll();

    // Assess
    expect(sslrootcert.startsWith(services.folder)).toBe(true);
    expect(sslrootcert.endsWith('.pem')).toBe(true);
    expect(written).toEqual({ text: 'PEM TEXT', mode: 0o644 });
    await expect(stat(sslrootcert)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
