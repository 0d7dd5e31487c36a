import {
  type ConnectorContext,
  type ConnectorModule,
  type Credentials,
  type ProxyClient,
  withParameters,
} from '@artemis/core';
import { awsClientConfig } from './aws-client-config';
import { credentialsSchema, parseAwsCredentials } from './aws-credentials';
import { awsCredentialPipeline } from './aws-ctp';
import { toBotoError } from './boto-error';
import { BotoOperations, keywordInput, type SdkModule } from './boto-operations';
import { PageIterator, Paginator } from './boto-paginator';
import { toBotoResult } from './boto-result';

export interface AwsService {
  /** boto3's service name, also the connection type: `s3`, `glue`, `athena`. */
  readonly service: string;
  /** The SDK v3 package, imported on first use only (SPEC §11: no SDK on the health path). */
  readonly load: () => Promise<SdkModule>;
  /** Its client class export, e.g. `S3Client`. */
  readonly clientClass: string;
  /** boto3 client methods that are not operations (S3's `generate_presigned_url`). */
  readonly extraExtensions?: (client: unknown, operations: BotoOperations) => Readonly<Record<string, unknown>>;
}

interface SdkClient {
  send(command: unknown): Promise<unknown>;
  destroy(): void;
}

/**
 * A connection type of the aws family: the boto3 surface Apollo exposed (its proxy client wrapped a boto3 client),
 * served by the SDK v3 package of the same service. `list_objects_v2(Bucket=...)` sends `ListObjectsV2Command`
 * with the keyword arguments as its input; `get_paginator` / `can_paginate` are boto3's. The SDK client itself is
 * never reachable by commands (its `config` holds the credentials).
 */
export function awsConnector(spec: AwsService): ConnectorModule {
  return {
    credentialsSchema,
    credentialPipeline: awsCredentialPipeline,
    create: (credentials, context) => createAwsProxyClient(spec, credentials, context),
  };
}

/** The export index of an SDK package, built once per package rather than per client. */
const indexes = new WeakMap<SdkModule, BotoOperations>();

function operationsOf(sdk: SdkModule, service: string): BotoOperations {
  let operations = indexes.get(sdk);
  if (!operations) {
    operations = new BotoOperations(sdk, `@aws-sdk/client-${service}`);
    indexes.set(sdk, operations);
  }
  return operations;
}

async function createAwsProxyClient(
  spec: AwsService,
  credentials: Credentials,
  context: ConnectorContext,
): Promise<ProxyClient> {
  const args = parseAwsCredentials(credentials);
  const sdk = await spec.load();
  const Client = sdk[spec.clientClass] as new (config: Record<string, unknown>) => SdkClient;
  const client = new Client(await awsClientConfig(spec.service, args, context));
  const operations = operationsOf(sdk, spec.service);

  return {
    extensions: Object.freeze({
      ...spec.extraExtensions?.(client, operations),
      get_paginator: withParameters(['operation_name'], (name: string) => {
        const { operation, paginate } = operations.paginator(String(name));
        return new Paginator(operation, paginate, client);
      }),
      can_paginate: withParameters(['operation_name'], (name: string) => operations.canPaginate(String(name))),
    }),
    resolveExtension: (name) => {
      const { operation, Command } = operations.get(name);
      return async (...values: unknown[]) => {
        const input = keywordInput(name, values);
        let output: unknown;
        try {
          output = await client.send(new Command(input));
        } catch (error) {
          throw toBotoError(error, operation);
        }
        return toBotoResult(output);
      };
    },
    // An operation that ends on a paginate(...) answers its pages, as list(paginator.paginate(...)) would.
    processResult: (result) => (result instanceof PageIterator ? PageIterator.pagesOf(result) : result),
    close: () => client.destroy(),
  };
}
