import { type Transform, textInput } from './transform';

/**
 * `resolve_redshift_credentials` (Apollo's ResolveRedshiftCredentialsTransform): temporary database credentials for
 * an IAM identity, minted at connect time so the secret holds no static password.
 *
 * - provisioned clusters: `cluster_identifier` + `db_user` → `redshift:GetClusterCredentials` (optional
 *   `auto_create`, `db_groups`);
 * - Redshift Serverless: `workgroup_name` → `redshift-serverless:GetCredentials` (the user follows from the IAM
 *   identity).
 *
 * `db_name` and `aws_region` are required; `assumable_role` / `external_id` assume a role first (from the agent's
 * own identity, with the agent's AWS base configuration); `duration_seconds` is the lifetime (900–3600, the
 * services' defaults otherwise). Derives `user` and `password`. The SDKs are loaded on first use.
 */
export const resolveRedshiftCredentials: Transform = {
  requiredInput: ['db_name', 'aws_region'],
  optionalInput: [
    'cluster_identifier',
    'workgroup_name',
    'db_user',
    'assumable_role',
    'external_id',
    'duration_seconds',
    'auto_create',
    'db_groups',
  ],
  requiredOutput: ['user', 'password'],
  optionalOutput: [],
  async run(step) {
    const text = (key: string) => textInput(step, key);
    const cluster = text('cluster_identifier');
    const workgroup = text('workgroup_name');
    if (Boolean(cluster) === Boolean(workgroup)) {
      throw new Error("exactly one of 'cluster_identifier' and 'workgroup_name' is required");
    }
    const dbName = text('db_name');
    const region = text('aws_region');
    if (!dbName || !region) throw new Error("'db_name' and 'aws_region' must not be empty");
    const duration = text('duration_seconds');
    const durationSeconds = duration === undefined ? undefined : Number(duration);
    if (durationSeconds !== undefined && !Number.isInteger(durationSeconds)) {
      throw new Error("'duration_seconds' must be an integer");
    }
    const config = await step.services.awsClientConfig({
      aws_region: region,
      assumable_role: text('assumable_role') ?? null,
      external_id: text('external_id') ?? null,
    });
    let credentials: { user: string | undefined; password: string | undefined };
    try {
      credentials = cluster
        ? await clusterCredentials(config, {
            ClusterIdentifier: cluster,
            DbUser: required(text('db_user'), 'db_user'),
            DbName: dbName,
            DurationSeconds: durationSeconds,
            AutoCreate: step.has('auto_create') ? Boolean(step.input('auto_create')) : undefined,
            DbGroups: dbGroups(step.input('db_groups')),
          })
        : await serverlessCredentials(config, {
            workgroupName: workgroup,
            dbName,
            durationSeconds,
          });
    } catch (error) {
      throw Object.assign(new Error(`Failed to get Redshift cluster credentials: ${(error as Error).message}`), {
        cause: error,
      });
    }
    if (!credentials.user || !credentials.password) throw new Error('Redshift returned no credentials');
    step.derive('user', credentials.user);
    step.derive('password', credentials.password);
  },
};

async function clusterCredentials(config: Record<string, unknown>, input: Record<string, unknown>) {
  const { RedshiftClient, GetClusterCredentialsCommand } = await import('@aws-sdk/client-redshift');
  const client = new RedshiftClient(config);
  try {
    const output = await client.send(new GetClusterCredentialsCommand(withoutUndefined(input) as never));
    return { user: output.DbUser, password: output.DbPassword };
  } finally {
    client.destroy();
  }
}

async function serverlessCredentials(config: Record<string, unknown>, input: Record<string, unknown>) {
  const { RedshiftServerlessClient, GetCredentialsCommand } = await import('@aws-sdk/client-redshift-serverless');
  const client = new RedshiftServerlessClient(config);
  try {
    const output = await client.send(new GetCredentialsCommand(withoutUndefined(input) as never));
    return { user: output.dbUser, password: output.dbPassword };
  } finally {
    client.destroy();
  }
}

function required(value: string | undefined, key: string): string {
  if (!value) throw new Error(`'${key}' is required with 'cluster_identifier'`);
  return value;
}

function dbGroups(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new Error("'db_groups' must be a list");
  return value.map(String);
}

function withoutUndefined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}
