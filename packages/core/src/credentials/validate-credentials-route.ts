import type { RouteContext } from '../agent/agent-services';
import type { StandardIssue } from '../connectors/standard-schema';
import { AgentError, BadRequestError } from '../errors/agent-errors';
import { SelfHostedCredentialsError } from '../errors/self-hosted-credentials-error';
import { describeIssue } from '../errors/zod-issue';
import { resultResponse } from '../http/responses';
import { paramRoute } from '../routes/param-route';
import { isSelfHosted } from './is-self-hosted';

/**
 * POST /api/v1/self-hosted-credentials/validate/{connection_type} (apollo-inventory §1.2 row 2): fetch the secret the
 * envelope points to, exactly as an operation would, and check the result against the connector's declared
 * credentials schema. Lets a customer test a secret before any operation depends on it.
 *
 * `errors` maps each offending field path (dotted; `__root__` for the document itself) to its messages — the
 * shape of the cerberus errors Apollo returned, flattened. Messages come from the schema, never from the values.
 */
export async function validateCredentialsRoute(context: RouteContext) {
  const connectionType = context.params.connection_type ?? '';
  return paramRoute(`${connectionType}/validate_self_hosted_credentials`, async (params, traceId, { services }) => {
    const credentials = params.credentials;
    if (!isObject(credentials) || !isSelfHosted(credentials)) {
      throw new BadRequestError(
        "This endpoint validates self-hosted credentials only. Missing required 'self_hosted_credentials_type' in the credentials envelope.",
      );
    }
    await services.pluginsReady();
    const connector = await services.directory.connectorFor(connectionType).catch(() => undefined);
    // Apollo's lookup order: the pipeline's raw-credentials schema, the connector's own, a plugin manifest's.
    const rawSchema = connector?.credentialPipeline?.rawCredentialsSchema;
    const manifestSchema = services.directory.manifestOf(connectionType)?.credentials_schema;
    const schema =
      rawSchema ??
      connector?.credentialsSchema ??
      (manifestSchema
        ? (await import('../registry/json-schema-standard')).jsonSchemaStandard(manifestSchema)
        : undefined);
    if (!schema) {
      throw new BadRequestError(
        `Connection type not supported for self-hosted credentials validation: ${connectionType}`,
      );
    }
    const resolved = await services.resolveCredentials(credentials).catch((error: unknown) => {
      throw error instanceof AgentError
        ? error
        : new SelfHostedCredentialsError((error as Error)?.message ?? String(error));
    });
    // A raw-credentials schema describes flat credentials: a pre-shaped secret is checked as the pipeline reads it.
    const { rawCredentials } = rawSchema ? await import('../ctp/raw-credentials') : { rawCredentials: undefined };
    const subject = rawCredentials?.(resolved) ?? resolved;
    const result = await schema['~standard'].validate(subject);
    const errors = result.issues ? groupIssues(prefixConnectArgs(result.issues, resolved, subject), resolved) : {};
    return resultResponse(
      { valid: Object.keys(errors).length === 0, connection_type: connectionType, errors },
      traceId,
    );
  })(context);
}

/**
 * Issues found on the pipeline's flat view name the keys that came from `connect_args` as `connect_args.key`, so
 * the answer points where the secret holds them.
 */
function prefixConnectArgs(
  issues: readonly StandardIssue[],
  resolved: Record<string, unknown>,
  subject: unknown,
): readonly StandardIssue[] {
  const connectArgs = resolved.connect_args;
  if (subject === resolved || !isObject(connectArgs)) return issues;
  return issues.map((issue) => {
    const [first, ...rest] = issue.path ?? [];
    const key = typeof first === 'object' ? first.key : first;
    const fromConnectArgs =
      typeof key === 'string' && (Object.hasOwn(connectArgs, key) || !Object.hasOwn(resolved, key));
    return fromConnectArgs ? { ...issue, path: ['connect_args', key, ...rest] } : issue;
  });
}

function groupIssues(issues: readonly StandardIssue[], value: unknown): Record<string, string[]> {
  // A Map, then fromEntries: a field path such as `__proto__` stays an ordinary key.
  const errors = new Map<string, string[]>();
  for (const issue of issues) {
    const path = (issue.path ?? []).map((part) => (typeof part === 'object' ? part.key : part));
    const field = path.map(String).join('.') || '__root__';
    errors.set(field, [...(errors.get(field) ?? []), messageOf(issue, path, value)]);
  }
  return Object.fromEntries(errors);
}

/**
 * zod/mini's issues say only "Invalid input"; their code says more. Standard Schema does not hand the input back, so
 * it is looked up along the path — to tell "is required" from "expected number, received string", never to quote it.
 */
function messageOf(issue: StandardIssue, path: readonly PropertyKey[], value: unknown): string {
  if (!('code' in issue) || typeof issue.code !== 'string') return issue.message;
  const input = path.reduce<unknown>(
    (node, key) =>
      typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined,
    value,
  );
  return describeIssue({ ...issue, input } as Parameters<typeof describeIssue>[0]);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
