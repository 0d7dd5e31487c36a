import type { ConnectArgsSchema } from './connect-args-schema';
import { missingKeys } from './connect-args-schema';
import type { CredentialPipeline } from './credential-pipeline';
import { type CtpConfig, readCtpConfig } from './ctp-config';
import { type Compiled, compileCondition, compileValue, type Expr, TemplateError } from './template/template';
import type { Transform } from './transforms/transform';
import { TRANSFORMS } from './transforms/transform-registry';

export interface CompiledStep {
  readonly type: string;
  readonly transform: Transform;
  readonly input: ReadonlyMap<string, Compiled>;
  readonly output: Readonly<Record<string, string>>;
  readonly when: Expr | undefined;
  readonly fieldMap: readonly (readonly [string, Compiled])[];
}

/** A pipeline ready to run: every template parsed, every transform found. */
export interface CompiledPipeline {
  readonly name: string;
  readonly steps: readonly CompiledStep[];
  readonly mapper: { readonly fieldMap: readonly (readonly [string, Compiled])[]; readonly passthrough: boolean };
  readonly connectArgsDefaults: Readonly<Record<string, unknown>>;
  readonly connectArgs: ConnectArgsSchema | undefined;
}

export interface PipelineAnalysis {
  readonly pipeline: CompiledPipeline | undefined;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * Reads and compiles a CTP config without running it (Apollo's `validate_ctp_config`, and what the execute route
 * does with a request's `ctp_config` before anything runs): structure, transform types and their input/output keys,
 * template syntax of every input, `when` and field_map value, and whether the mapper covers the connect_args keys
 * the connection type requires. `registered` is the connection type's default pipeline, whose connect_args schema
 * and connector-specific transforms apply to a custom config too. Every problem is reported, not only the first.
 */
export function analyzePipeline(data: unknown, registered?: CredentialPipeline): PipelineAnalysis {
  let config: CtpConfig;
  try {
    config = readCtpConfig(data);
  } catch (error) {
    return { pipeline: undefined, errors: [(error as Error).message], warnings: [] };
  }
  const errors: string[] = [];
  const warnings: string[] = [];
  const compile = (value: unknown, location: string): Compiled => {
    try {
      return compileValue(value);
    } catch (error) {
      errors.push(templateProblem(error, location));
      return { literal: null };
    }
  };
  const compileMap = (map: Readonly<Record<string, unknown>>, location: string) =>
    Object.entries(map).map(([key, value]) => [key, compile(value, `${location}[${quote(key)}]`)] as const);

  const steps: CompiledStep[] = [];
  for (const step of config.steps) {
    const transform = transformFor(step.type, registered);
    if (!transform) {
      const known = [...new Set([...TRANSFORMS.keys(), ...Object.keys(registered?.transforms ?? {})])].sort();
      errors.push(
        `[transform_lookup] Unknown transform type: '${step.type}'. Registered types: [${known.map(quote).join(', ')}]`,
      );
      continue;
    }
    errors.push(
      ...keyProblems(step.type, 'input', Object.keys(step.input), transform.requiredInput, transform.optionalInput),
    );
    errors.push(
      ...keyProblems(step.type, 'output', Object.keys(step.output), transform.requiredOutput, transform.optionalOutput),
    );
    let when: Expr | undefined;
    if (step.when !== undefined) {
      try {
        when = compileCondition(step.when);
      } catch (error) {
        errors.push(templateProblem(error, `step '${step.type}' when`));
      }
    }
    steps.push({
      type: step.type,
      transform,
      input: new Map(compileMap(step.input, `step '${step.type}' input`)),
      output: step.output,
      when,
      fieldMap: compileMap(step.fieldMap, `step '${step.type}' field_map`),
    });
  }
  const mapperFieldMap = compileMap(config.mapper.fieldMap, 'mapper.field_map');

  // Coverage: the mapper must produce the required connect_args keys. Steps may contribute some, so with steps a
  // gap is a warning (Apollo's "may be missing"), without steps an error.
  const schema = registered?.connectArgs;
  if (!config.mapper.passthrough) {
    const missing = missingKeys(schema, Object.keys(config.mapper.fieldMap));
    if (missing.length > 0) {
      const list = `[${missing.map(quote).join(', ')}]`;
      if (config.steps.length > 0)
        warnings.push(`Mapper field_map may be missing required keys (steps may provide them): ${list}`);
      else errors.push(`Mapper field_map is missing required keys: ${list}`);
    }
  }
  if (errors.length > 0) return { pipeline: undefined, errors, warnings };
  return {
    pipeline: {
      name: config.name,
      steps,
      mapper: { fieldMap: mapperFieldMap, passthrough: config.mapper.passthrough },
      connectArgsDefaults: config.connectArgsDefaults,
      connectArgs: schema,
    },
    errors,
    warnings,
  };
}

function transformFor(type: string, registered: CredentialPipeline | undefined): Transform | undefined {
  const own = registered?.transforms;
  if (own && Object.hasOwn(own, type)) return own[type];
  return TRANSFORMS.get(type);
}

function keyProblems(
  type: string,
  side: 'input' | 'output',
  given: readonly string[],
  required: readonly string[],
  optional: readonly string[] | undefined,
): string[] {
  const problems = required
    .filter((key) => !given.includes(key))
    .map((key) => `[transform_${side}] (step: ${type}) '${key}' is required in ${type} ${side}`);
  if (optional !== undefined) {
    const unknown = given.filter((key) => !required.includes(key) && !optional.includes(key)).sort();
    if (unknown.length > 0) {
      problems.push(
        `[transform_${side}] (step: ${type}) Unknown ${side} keys for ${type}: [${unknown.map(quote).join(', ')}]`,
      );
    }
  }
  return problems;
}

function templateProblem(error: unknown, location: string): string {
  if (error instanceof TemplateError) return `Template syntax error in ${location}: ${error.message}`;
  throw error;
}

/** Python's repr of a key, as Apollo's messages print them. */
const quote = (key: string) => `'${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
