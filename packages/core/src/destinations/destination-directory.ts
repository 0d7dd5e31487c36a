import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { perAgent } from '../agent/per-agent';
import { type AgentConfig, DESTINATION_NAME } from '../config/config';
import { MAX_BATCH_SIZE } from './delivery-payload';
import { DestinationPluginError, UnknownDestinationError } from './destination-errors';
import type { DestinationModule } from './destination-module';

type Loader = () => Promise<DestinationModule>;

/** Built in, each imported on first use. */
const NATIVE: Readonly<Record<string, Loader>> = {
  'http-json': async () => (await import('./http-json-destination')).httpJsonDestination,
  storage: async () => (await import('./storage-destination')).storageDestination,
};

/**
 * Which destinations this agent can deliver to: the built-in ones, and those of the plugins named in
 * MCD_DESTINATION_MODULES (each exports `destinations`) or MCD_CONNECTOR_MODULES (an optional `destinations` export
 * beside `connectors`). Plugins are loaded once, by `ready()`; a broken one stops start-up with a clear line.
 */
export class DestinationDirectory {
  readonly #custom = new Map<string, { destination: DestinationModule; module: string }>();
  #loading: Promise<void> | undefined;

  constructor(
    private readonly config: AgentConfig,
    private readonly baseDir = process.cwd(),
  ) {}

  ready(): Promise<void> {
    this.#loading ??= this.#load();
    return this.#loading;
  }

  async get(name: string): Promise<DestinationModule> {
    await this.ready();
    const custom = this.#custom.get(name);
    if (custom) return custom.destination;
    const native = Object.hasOwn(NATIVE, name) ? NATIVE[name] : undefined;
    if (!native) throw new UnknownDestinationError(name);
    return native();
  }

  async names(): Promise<{ native: string[]; custom: { name: string; module: string }[] }> {
    await this.ready();
    return {
      native: Object.keys(NATIVE).sort(),
      custom: [...this.#custom]
        .map(([name, { module }]) => ({ name, module }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    };
  }

  async #load(): Promise<void> {
    const required = new Set(this.config.destinations.modules);
    for (const modulePath of new Set([...this.config.connectorModules, ...required])) {
      const loaded = await this.#import(modulePath);
      if (loaded.destinations === undefined && !required.has(modulePath)) continue;
      if (typeof loaded.destinations !== 'object' || loaded.destinations === null) {
        throw new DestinationPluginError(
          `Destination module ${modulePath} must export "destinations": { [name]: destination }`,
        );
      }
      for (const [name, exported] of Object.entries(loaded.destinations)) {
        const problem = problemOf(name, exported);
        if (problem)
          throw new DestinationPluginError(`Destination module ${modulePath}: destinations.${name} ${problem}`);
        if (Object.hasOwn(NATIVE, name) || this.#custom.has(name)) {
          throw new DestinationPluginError(`Destination module ${modulePath}: destination ${name} is already defined`);
        }
        this.#custom.set(name, { destination: exported as DestinationModule, module: modulePath });
      }
    }
  }

  async #import(modulePath: string): Promise<{ destinations?: unknown }> {
    const specifier =
      isAbsolute(modulePath) || modulePath.startsWith('.') ? resolve(this.baseDir, modulePath) : modulePath;
    try {
      return (await import(isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier)) as {
        destinations?: unknown;
      };
    } catch (error) {
      throw new DestinationPluginError(`Cannot load destination module ${modulePath}: ${(error as Error).message}`);
    }
  }
}

export const destinationDirectoryFor = perAgent((services) => new DestinationDirectory(services.config));

/** Why an exported destination cannot be used, or undefined when it can. */
function problemOf(name: string, value: unknown): string | undefined {
  if (!DESTINATION_NAME.test(name)) return 'has an invalid name (letters, digits, "-" and "_")';
  if (typeof value !== 'object' || value === null) return 'must be an object { batchSize, send, … }';
  const candidate = value as Partial<Record<keyof DestinationModule, unknown>>;
  if (typeof candidate.send !== 'function') return 'must have a send(batch, context) function';
  const { batchSize, rateLimit } = candidate;
  if (!Number.isSafeInteger(batchSize) || (batchSize as number) < 1 || (batchSize as number) > MAX_BATCH_SIZE) {
    return `must have a batchSize from 1 to ${MAX_BATCH_SIZE}`;
  }
  if (rateLimit !== undefined && !isRateLimit(rateLimit)) {
    return 'has an invalid rateLimit (expected { requests: integer ≥ 1, perSeconds: number > 0 })';
  }
  for (const hook of ['mapRecord', 'prepare'] as const) {
    if (candidate[hook] !== undefined && typeof candidate[hook] !== 'function')
      return `has a ${hook} that is not a function`;
  }
  const schema = candidate.settingsSchema as { '~standard'?: { validate?: unknown } } | undefined;
  if (schema !== undefined && typeof schema?.['~standard']?.validate !== 'function') {
    return 'has a settingsSchema that is not a Standard Schema (zod, valibot, arktype, …)';
  }
  return undefined;
}

export function isRateLimit(value: unknown): value is { requests: number; perSeconds: number } {
  const limit = value as { requests?: unknown; perSeconds?: unknown } | null;
  return (
    typeof limit === 'object' &&
    limit !== null &&
    Number.isSafeInteger(limit.requests) &&
    (limit.requests as number) >= 1 &&
    typeof limit.perSeconds === 'number' &&
    Number.isFinite(limit.perSeconds) &&
    limit.perSeconds > 0
  );
}
