import type { ServerResponse } from 'node:http';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from './local-http-server';

/**
 * An HTTP-level fake of the AWS APIs the agent calls on its own identity, served from one endpoint the real SDK
 * clients are pointed at: Secrets Manager, SSM, KMS and Redshift Serverless (JSON 1.1 protocol, dispatched on
 * X-Amz-Target), STS and Redshift (Query protocol, form-encoded in, XML out). Error responses use the services' own
 * error codes. Redshift's temporary credentials are `IAM:<DbUser>` / REDSHIFT_PASSWORD.
 */
export interface FakeAws extends LocalHttpServer {
  /** Secrets Manager: SecretId → SecretString. */
  readonly secrets: Map<string, string>;
  /** SSM: Name → decrypted SecureString value. */
  readonly parameters: Map<string, string>;
  /** SSM: Names of plain `String` parameters (every other one is a SecureString). */
  readonly plainParameters: Set<string>;
  /** KMS: base64 ciphertext → plaintext. */
  readonly ciphertexts: Map<string, string>;
  /** Ids (secret, parameter, ciphertext, role ARN) answered with an access-denied error. */
  readonly denied: Set<string>;
  /** The next `throttle.remaining` calls are answered with a throttling error. */
  readonly throttle: { remaining: number };
  readonly calls: FakeAwsCall[];
}

export interface FakeAwsCall {
  readonly operation: string;
  readonly input: Record<string, unknown>;
  readonly authorization: string;
  readonly securityToken: string | undefined;
}

/** The temporary password the fake's Redshift and Redshift Serverless hand out. */
export const REDSHIFT_PASSWORD = 'redshift-temporary-password';

export const ASSUMED = {
  accessKeyId: 'ASIAFAKEASSUMED',
  secretAccessKey: 'assumed-secret',
  sessionToken: 'assumed-token',
};

/** Plain HTTP by default; HTTPS with `tls` (to test the agent's CA bundle). */
export async function startFakeAws(tls?: { key: string; cert: string }): Promise<FakeAws> {
  const secrets = new Map<string, string>();
  const parameters = new Map<string, string>();
  const plainParameters = new Set<string>();
  const ciphertexts = new Map<string, string>();
  const denied = new Set<string>();
  const throttle = { remaining: 0 };
  const calls: FakeAwsCall[] = [];

  const server = await startLocalHttpServer((request, body, response) => {
    const target = request.headers['x-amz-target'];
    const isJson = typeof target === 'string';
    const input: Record<string, unknown> = isJson
      ? (JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(body.toString('utf8')));
    const service = input.Version === '2012-12-01' ? 'redshift' : 'sts';
    const operation = isJson ? target : `${service}.${String(input.Action)}`;
    calls.push({
      operation,
      input,
      authorization: String(request.headers.authorization ?? ''),
      securityToken: request.headers['x-amz-security-token'] as string | undefined,
    });
    if (throttle.remaining > 0) {
      throttle.remaining -= 1;
      return isJson
        ? jsonError(response, 400, 'ThrottlingException', 'Rate exceeded')
        : queryError(response, 400, 'Throttling', 'Rate exceeded');
    }
    switch (operation) {
      case 'secretsmanager.GetSecretValue': {
        const id = String(input.SecretId);
        if (denied.has(id))
          return jsonError(response, 400, 'AccessDeniedException', `User is not authorized to access ${id}`);
        const value = secrets.get(id);
        if (value === undefined) {
          return jsonError(
            response,
            400,
            'ResourceNotFoundException',
            "Secrets Manager can't find the specified secret.",
          );
        }
        return sendJson(
          response,
          200,
          {
            ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${id}`,
            Name: id,
            SecretString: value,
            VersionId: 'v1',
          },
          AMZ_JSON,
        );
      }
      case 'AmazonSSM.GetParameter': {
        const name = String(input.Name);
        if (denied.has(name))
          return jsonError(response, 400, 'AccessDeniedException', `User is not authorized to access ${name}`);
        const value = parameters.get(name);
        if (value === undefined) return jsonError(response, 400, 'ParameterNotFound', '');
        // A SecureString is only readable in clear with WithDecryption; otherwise SSM returns the ciphertext.
        const shown = input.WithDecryption === true ? value : 'AQICAHencrypted==';
        return sendJson(
          response,
          200,
          { Parameter: { Name: name, Type: 'SecureString', Value: shown, Version: 1 } },
          AMZ_JSON,
        );
      }
      case 'AmazonSSM.GetParametersByPath':
        return getParametersByPath(response, input, parameters, plainParameters, denied);
      case 'TrentService.Decrypt': {
        const blob = String(input.CiphertextBlob);
        if (denied.has(blob))
          return jsonError(response, 400, 'AccessDeniedException', 'The ciphertext refers to a key you cannot use');
        const plaintext = ciphertexts.get(blob);
        if (plaintext === undefined) return jsonError(response, 400, 'InvalidCiphertextException', '');
        return sendJson(
          response,
          200,
          {
            KeyId: String(input.KeyId),
            Plaintext: Buffer.from(plaintext, 'utf8').toString('base64'),
            EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          },
          AMZ_JSON,
        );
      }
      case 'redshift.GetClusterCredentials': {
        const cluster = String(input.ClusterIdentifier);
        if (denied.has(cluster)) {
          return queryError(response, 403, 'UnauthorizedOperation', `Not authorized for cluster ${cluster}`);
        }
        return sendXml(
          response,
          200,
          `<GetClusterCredentialsResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/"><GetClusterCredentialsResult><DbUser>IAM:${String(input.DbUser)}</DbUser><DbPassword>${REDSHIFT_PASSWORD}</DbPassword><Expiration>2099-01-01T00:00:00Z</Expiration></GetClusterCredentialsResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetClusterCredentialsResponse>`,
        );
      }
      case 'RedshiftServerless.GetCredentials': {
        const workgroup = String(input.workgroupName);
        if (denied.has(workgroup))
          return jsonError(response, 400, 'AccessDeniedException', `Not authorized for ${workgroup}`);
        return sendJson(
          response,
          200,
          { dbUser: `IAMR:${workgroup}`, dbPassword: REDSHIFT_PASSWORD, expiration: 4070908800 },
          AMZ_JSON,
        );
      }
      case 'sts.AssumeRole': {
        const role = String(input.RoleArn);
        if (denied.has(role))
          return queryError(response, 403, 'AccessDenied', `Not authorized to perform sts:AssumeRole on ${role}`);
        return sendXml(response, 200, assumeRoleXml());
      }
      default:
        return jsonError(response, 400, 'UnknownOperationException', `The fake does not serve ${operation}`);
    }
  }, tls);
  return { ...server, secrets, parameters, plainParameters, ciphertexts, denied, throttle, calls };
}

/**
 * SSM GetParametersByPath as the service answers it: parameters under `Path` (one level, or every level with
 * `Recursive`), in name order, `MaxResults` (at most 10) per page with an opaque `NextToken`; a SecureString in clear
 * only with `WithDecryption`. A path the caller may not read (in `denied`) is AccessDeniedException; a path with
 * nothing under it is an empty page, not an error (as SSM does).
 */
function getParametersByPath(
  response: ServerResponse,
  input: Record<string, unknown>,
  parameters: ReadonlyMap<string, string>,
  plain: ReadonlySet<string>,
  denied: ReadonlySet<string>,
) {
  const path = String(input.Path);
  if (denied.has(path)) {
    return jsonError(
      response,
      400,
      'AccessDeniedException',
      `User is not authorized to perform ssm:GetParametersByPath on ${path}`,
    );
  }
  const maxResults = Number(input.MaxResults ?? 10);
  if (!(maxResults >= 1 && maxResults <= 10)) {
    return jsonError(response, 400, 'ValidationException', 'MaxResults must be between 1 and 10');
  }
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const names = [...parameters.keys()]
    .filter((name) => name.startsWith(prefix) && (input.Recursive === true || !name.slice(prefix.length).includes('/')))
    .sort();
  const start = input.NextToken === undefined ? 0 : Number(Buffer.from(String(input.NextToken), 'base64').toString());
  const page = names.slice(start, start + maxResults);
  const next =
    start + maxResults < names.length ? Buffer.from(String(start + maxResults)).toString('base64') : undefined;
  return sendJson(
    response,
    200,
    {
      Parameters: page.map((name) => {
        const type = plain.has(name) ? 'String' : 'SecureString';
        const value = type === 'String' || input.WithDecryption === true ? parameters.get(name) : 'AQICAHencrypted==';
        return { Name: name, Type: type, Value: value, Version: 1 };
      }),
      ...(next ? { NextToken: next } : {}),
    },
    AMZ_JSON,
  );
}

const AMZ_JSON = { 'content-type': 'application/x-amz-json-1.1' };

function jsonError(response: ServerResponse, status: number, code: string, message: string) {
  sendJson(response, status, { __type: code, message }, { ...AMZ_JSON, 'x-amzn-errortype': code });
}

function queryError(response: ServerResponse, status: number, code: string, message: string) {
  sendXml(
    response,
    status,
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
  );
}

function sendXml(response: ServerResponse, status: number, xml: string) {
  response.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
}

function assumeRoleXml(): string {
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${ASSUMED.accessKeyId}</AccessKeyId><SecretAccessKey>${ASSUMED.secretAccessKey}</SecretAccessKey><SessionToken>${ASSUMED.sessionToken}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAFAKE:mcd</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/reader/mcd</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></AssumeRoleResponse>`;
}

/** The SDK configuration that points every AWS client at the fake, with static test credentials. */
export function fakeAwsClients(fake: FakeAws) {
  return {
    endpoint: fake.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDAGENT', secretAccessKey: 'agent-secret' },
  };
}
