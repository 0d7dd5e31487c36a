import * as z from 'zod/mini';
import { declaredVariables } from '../config/config';
import { ConfigError } from '../errors/startup-errors';
import type { StoreContent } from './read-config-source';

/**
 * Read before the configuration source (prepareEnvironment applies them first), so a source cannot set them: a
 * source naming another source, or a CA bundle the read itself needed, would be silently ignored otherwise.
 */
const READ_BEFORE = new Set([
  'MCD_CONFIG_SOURCE',
  'MCD_CONFIG_SOURCE_OVERRIDES',
  'MCD_ADDITIONAL_ENV_VARS',
  'MCD_AWS_CA_BUNDLE_SECRET_NAME',
]);
const AGENT_NAME = /^MCD_[A-Z0-9_]+$/;

/** What the configuration reads, from the parser itself: the non-MCD_* ones (PORT, …) are accepted from a source. */
let declared: { readonly all: ReadonlySet<string>; readonly platform: ReadonlySet<string> } | undefined;
function declaredNames() {
  if (!declared) {
    const names = declaredVariables();
    declared = { all: new Set(names), platform: new Set(names.filter((name) => !name.startsWith('MCD_'))) };
  }
  return declared;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const variablesObject = z.record(z.string(), z.unknown());

/** The store's variables, checked: names and values as the environment will hold them. */
export interface ConfigVariables {
  readonly values: ReadonlyMap<string, string>;
  /** Accepted MCD_* names the configuration does not read (typos, most likely): noted, not refused. */
  readonly unread: readonly string[];
}

/**
 * What a store holds as variables. Refused, each as one ConfigError line naming the source: text that is not JSON
 * or not a JSON object, a name that is not MCD_* (nor one of the platform names the configuration reads, nor one read
 * before the source), a value that is not a string, a number or a boolean, and an SSM path whose parameters name the
 * same variable twice or that holds none. Messages carry names and kinds, never values (a JSON parser's message
 * quotes the text: it is not used).
 */
export function configVariables(source: string, content: StoreContent): ConfigVariables {
  const fail = (reason: string): never => {
    throw new ConfigError(`MCD_CONFIG_SOURCE ${source}: ${reason}`);
  };
  const entries =
    content.kind === 'parameters' ? parameterEntries(content.parameters, fail) : documentEntries(content.text, fail);
  const { all, platform } = declaredNames();
  const problems: string[] = [];
  const values = new Map<string, string>();
  for (const [name, value] of entries) {
    if (READ_BEFORE.has(name)) {
      problems.push(`${name} is read before the configuration source and cannot be set by it`);
    } else if (!AGENT_NAME.test(name) && !platform.has(name)) {
      problems.push(`${name} is not accepted (only MCD_* names and ${[...platform].join(', ')})`);
    } else if (!scalar.safeParse(value).success) {
      problems.push(`${name} must be a string, a number or a boolean (got ${kindOf(value)})`);
    } else {
      values.set(name, String(value));
    }
  }
  if (problems.length > 0) fail(problems.join('; '));
  return { values, unread: [...values.keys()].filter((name) => !all.has(name)) };
}

function documentEntries(text: string, fail: (reason: string) => never): Array<[string, unknown]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('is not valid JSON (expected a JSON object of variables)');
  }
  const object = variablesObject.safeParse(parsed);
  if (!object.success) return fail(`expected a JSON object of variables, got ${kindOf(parsed)}`);
  return Object.entries(object.data);
}

/** `/artemis/prod/MCD_LOG_LEVEL` → MCD_LOG_LEVEL; the same last segment twice (at two depths) is ambiguous. */
function parameterEntries(
  parameters: ReadonlyArray<readonly [string, string]>,
  fail: (reason: string) => never,
): Array<[string, unknown]> {
  if (parameters.length === 0) return fail('no parameters under this path (a missing path, or none readable)');
  const byName = new Map<string, string>();
  const entries: Array<[string, unknown]> = [];
  for (const [path, value] of parameters) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const earlier = byName.get(name);
    if (earlier !== undefined) fail(`parameters ${earlier} and ${path} both name ${name}`);
    byName.set(name, path);
    entries.push([name, value]);
  }
  return entries;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
