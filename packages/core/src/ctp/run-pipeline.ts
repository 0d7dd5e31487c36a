import { AgentError } from '../errors/agent-errors';
import type { CompiledPipeline, CompiledStep } from './compile-pipeline';
import { coerce, missingKeys } from './connect-args-schema';
import { CtpPipelineError } from './ctp-errors';
import { type Compiled, checkCondition, renderValue, TemplateError, type TemplateScope } from './template/template';
import type { PipelineServices, StepRun } from './transforms/transform';

/**
 * Runs a compiled pipeline over flat credentials (Apollo's CtpPipeline.execute): each step whose `when` holds runs
 * its transform, which writes `derived` values, and contributes its field_map; then the mapper renders every
 * field_map value (steps' entries winning), drops the ones that render to none, checks and coerces them against the
 * connect_args schema, and lays them over `connect_args_defaults`.
 *
 * Raw and derived state is scrubbed when the run ends, successful or not, so no credential outlives it in an error
 * or a closure. Errors name the stage, step and key, never a value.
 */
export async function runPipeline(
  pipeline: CompiledPipeline,
  raw: Readonly<Record<string, unknown>>,
  context: Readonly<Record<string, unknown>>,
  services: PipelineServices,
): Promise<Record<string, unknown>> {
  const state = { raw: { ...raw }, derived: Object.create(null) as Record<string, unknown>, context: { ...context } };
  try {
    const stepFieldMaps: (readonly [string, Compiled])[] = [];
    for (const step of pipeline.steps) {
      const { when } = step;
      if (when && !guarded('when', step.type, () => checkCondition(when, state))) continue;
      await runStep(step, state, services);
      stepFieldMaps.push(...step.fieldMap);
    }
    let result: Record<string, unknown>;
    if (pipeline.mapper.passthrough) {
      result = { ...state.raw };
    } else {
      const rendered = new Map<string, unknown>();
      for (const [key, value] of [...pipeline.mapper.fieldMap, ...stepFieldMaps]) {
        rendered.set(
          key,
          guarded('mapper', undefined, () => renderValue(value, state), key),
        );
      }
      result = Object.fromEntries([...rendered].filter(([, value]) => value !== null && value !== undefined));
      const missing = missingKeys(pipeline.connectArgs, Object.keys(result));
      if (missing.length > 0) {
        throw new CtpPipelineError(
          'mapper_validation',
          `Missing required fields: [${missing.map((k) => `'${k}'`).join(', ')}]`,
        );
      }
      result = coerce(pipeline.connectArgs, result);
    }
    return { ...pipeline.connectArgsDefaults, ...result };
  } finally {
    for (const key of Object.keys(state.raw)) delete state.raw[key];
    for (const key of Object.keys(state.derived)) delete state.derived[key];
  }
}

async function runStep(
  step: CompiledStep,
  state: TemplateScope & { derived: Record<string, unknown> },
  services: PipelineServices,
) {
  const run: StepRun = {
    type: step.type,
    context: state.context as Record<string, unknown>,
    services,
    has: (key) => step.input.has(key),
    input: (key) => {
      const compiled = step.input.get(key);
      return compiled === undefined
        ? undefined
        : guarded('transform_input', step.type, () => renderValue(compiled, state), key);
    },
    wants: (key) => Object.hasOwn(step.output, key),
    derive: (key, value) => {
      if (Object.hasOwn(step.output, key)) state.derived[step.output[key] as string] = value;
    },
  };
  try {
    await step.transform.run(run);
  } catch (error) {
    if (error instanceof AgentError) throw error;
    throw new CtpPipelineError('transform_execute', (error as Error)?.message ?? String(error), step.type, {
      cause: error,
    });
  }
}

/** Template failures become pipeline errors naming where they happened. */
function guarded<T>(stage: string, step: string | undefined, evaluate: () => T, key?: string): T {
  try {
    return evaluate();
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    throw new CtpPipelineError(stage, key === undefined ? error.message : `${quoteKey(key)}: ${error.message}`, step);
  }
}

const quoteKey = (key: string) => `'${key}'`;
