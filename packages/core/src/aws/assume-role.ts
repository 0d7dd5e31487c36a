import { randomInt } from 'node:crypto';
import { OperationError } from '../errors/agent-errors';

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration?: Date;
}

export interface AssumeRoleRequest {
  readonly roleArn: string;
  readonly externalId?: string | null | undefined;
  /** The STS client's configuration: region, TLS (the agent's CA bundle), the source identity, overrides. */
  readonly stsConfig: Readonly<Record<string, unknown>>;
  /** The clock renewals are measured against (tests move it instead of waiting). */
  readonly now?: () => number;
}

/** Refresh a few minutes early so a request never leaves with credentials about to expire. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * Credentials of an assumed role (Apollo's `_assume_role`): STS AssumeRole with the optional ExternalId and a session
 * name `mcd_<5 random letters>_<epoch seconds>`. The first call happens here, so a refused role fails where the
 * client is created, as in Apollo; the returned provider then renews the credentials before they expire, so a
 * long-lived cached client keeps working (Apollo assumed once per client).
 */
export async function assumeRoleProvider(request: AssumeRoleRequest): Promise<() => Promise<TemporaryCredentials>> {
  const now = request.now ?? Date.now;
  const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
  const sts = new STSClient(request.stsConfig);
  const assume = async (): Promise<TemporaryCredentials> => {
    const { Credentials: issued } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: request.roleArn,
        RoleSessionName: roleSessionName(now()),
        ...(request.externalId ? { ExternalId: request.externalId } : {}),
      }),
    );
    if (!issued?.AccessKeyId || !issued.SecretAccessKey || !issued.SessionToken) {
      throw new OperationError(`AssumeRole ${request.roleArn} returned no credentials`);
    }
    return {
      accessKeyId: issued.AccessKeyId,
      secretAccessKey: issued.SecretAccessKey,
      sessionToken: issued.SessionToken,
      expiration: issued.Expiration,
    };
  };
  let current = await assume();
  let renewal: Promise<TemporaryCredentials> | undefined;
  return async () => {
    const expiresAt = current.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
    if (expiresAt - now() > REFRESH_MARGIN_MS) return current;
    renewal ??= assume().finally(() => {
      renewal = undefined;
    });
    current = await renewal;
    return current;
  };
}

/** `mcd_<5 random lowercase letters>_<time.time()>`, as Apollo names its sessions (visible in CloudTrail). */
export function roleSessionName(now = Date.now()): string {
  const letters = Array.from({ length: 5 }, () => String.fromCharCode(97 + randomInt(26))).join('');
  return `mcd_${letters}_${now / 1000}`;
}
