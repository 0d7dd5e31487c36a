import { isPlainObject } from './template/template-values';

/**
 * A CTP config as Apollo models it (`apollo/integrations/ctp/models.py`): ordered transform steps writing derived
 * values, then a mapper whose field_map builds `connect_args`, with `connect_args_defaults` under the mapper's
 * output. Read from JSON (a request's `ctp_config`) or from a connector's registered default.
 */
export interface CtpConfig {
  readonly name: string;
  readonly steps: readonly CtpStep[];
  readonly mapper: CtpMapper;
  readonly connectArgsDefaults: Readonly<Record<string, unknown>>;
}

export interface CtpStep {
  readonly type: string;
  /** Template (or literal) per input key, rendered when the step runs. */
  readonly input: Readonly<Record<string, unknown>>;
  /** Output key of the transform → name under `derived`. */
  readonly output: Readonly<Record<string, string>>;
  /** A condition over raw/derived/context; the step is skipped when it is false. */
  readonly when: string | undefined;
  /** Contributed to the mapper's field_map only when the step ran (and winning over it). */
  readonly fieldMap: Readonly<Record<string, unknown>>;
}

export interface CtpMapper {
  readonly name: string;
  readonly fieldMap: Readonly<Record<string, unknown>>;
  /** `connect_args` is the raw credentials as they are. */
  readonly passthrough: boolean;
}

/** Bounds on a config's shape (templates have their own, see TemplateLimits). */
export const CtpConfigLimits = { maxSteps: 32, maxKeys: 256 } as const;

/**
 * Apollo's `CtpConfig.from_dict`, with its messages: a config missing `mapper` or a step missing `type`, `input` or
 * `output` is refused, as are wrongly typed fields. The mapper may be given in full (`{field_map, name?,
 * passthrough?}`) or as the field_map itself.
 */
export function readCtpConfig(data: unknown): CtpConfig {
  if (!isPlainObject(data)) throw new Error('CtpConfig must be a JSON object');
  if (!Object.hasOwn(data, 'mapper')) throw new Error("CtpConfig missing required field: 'mapper'");
  const steps = data.steps ?? [];
  if (!Array.isArray(steps)) throw new Error("CtpConfig 'steps' must be a list");
  if (!steps.every(isPlainObject)) throw new Error("CtpConfig 'steps' must be a list of dicts");
  if (steps.length > CtpConfigLimits.maxSteps)
    throw new Error(`CtpConfig has more than ${CtpConfigLimits.maxSteps} steps`);
  const defaults = data.connect_args_defaults ?? {};
  if (!isPlainObject(defaults)) throw new Error("CtpConfig 'connect_args_defaults' must be a dict");
  return {
    name: optionalString(data.name, "CtpConfig 'name'"),
    steps: steps.map(readStep),
    mapper: readMapper(data.mapper),
    connectArgsDefaults: bounded(defaults, "CtpConfig 'connect_args_defaults'"),
  };
}

function readStep(data: Record<string, unknown>): CtpStep {
  const missing = ['type', 'input', 'output'].filter((key) => !Object.hasOwn(data, key));
  if (missing.length > 0) {
    throw new Error(`TransformStep missing required fields: [${missing.map((key) => `'${key}'`).join(', ')}]`);
  }
  if (typeof data.type !== 'string') throw new Error("TransformStep 'type' must be a str");
  if (!isPlainObject(data.input)) throw new Error("TransformStep 'input' must be a dict");
  if (!isPlainObject(data.output)) throw new Error("TransformStep 'output' must be a dict");
  if (!Object.values(data.output).every((name) => typeof name === 'string')) {
    throw new Error("TransformStep 'output' values must be str");
  }
  const fieldMap = data.field_map ?? {};
  if (!isPlainObject(fieldMap)) throw new Error("TransformStep 'field_map' must be a dict");
  if (data.when !== undefined && data.when !== null && typeof data.when !== 'string') {
    throw new Error("TransformStep 'when' must be a str");
  }
  return {
    type: data.type,
    input: bounded(data.input, "TransformStep 'input'"),
    output: bounded(data.output, "TransformStep 'output'") as Record<string, string>,
    when: typeof data.when === 'string' ? data.when : undefined,
    fieldMap: bounded(fieldMap, "TransformStep 'field_map'"),
  };
}

function readMapper(data: unknown): CtpMapper {
  if (!isPlainObject(data)) throw new Error("MapperConfig 'field_map' must be a dict");
  // Full form when it has a field_map key; otherwise the whole object is the field_map (Apollo's shorthand).
  if (!Object.hasOwn(data, 'field_map'))
    return { name: '', fieldMap: bounded(data, 'MapperConfig'), passthrough: false };
  if (!isPlainObject(data.field_map)) throw new Error("MapperConfig 'field_map' must be a dict");
  if (data.passthrough !== undefined && typeof data.passthrough !== 'boolean') {
    throw new Error("MapperConfig 'passthrough' must be a bool");
  }
  return {
    name: optionalString(data.name, "MapperConfig 'name'"),
    fieldMap: bounded(data.field_map, "MapperConfig 'field_map'"),
    passthrough: data.passthrough === true,
  };
}

function optionalString(value: unknown, what: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new Error(`${what} must be a str`);
  return value;
}

function bounded(value: Record<string, unknown>, what: string): Record<string, unknown> {
  if (Object.keys(value).length > CtpConfigLimits.maxKeys) {
    throw new Error(`${what} has more than ${CtpConfigLimits.maxKeys} keys`);
  }
  return value;
}
