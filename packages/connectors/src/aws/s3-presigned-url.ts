import { OperationError, withParameters } from '@artemis/core';
import type { BotoOperations } from './boto-operations';

/** SigV4's own ceiling: a pre-signed URL lives at most 7 days. */
const MAX_EXPIRES_IN_SECONDS = 7 * 24 * 3600;

/**
 * boto3's `s3.generate_presigned_url(ClientMethod, Params=None, ExpiresIn=3600)`: a URL that performs `ClientMethod`
 * (`get_object`, `put_object`, ...) with `Params` until it expires, signed with this client's credentials by
 * `@aws-sdk/s3-request-presigner` (imported on first use).
 */
export function presignedUrlExtensions(client: unknown, operations: BotoOperations): Record<string, unknown> {
  return {
    generate_presigned_url: withParameters(
      ['ClientMethod', 'Params', 'ExpiresIn'],
      async (clientMethod: unknown, params: unknown, expiresIn: unknown = 3600) => {
        if (typeof clientMethod !== 'string') throw new OperationError('ClientMethod must be an operation name');
        if (
          !Number.isInteger(expiresIn) ||
          (expiresIn as number) < 1 ||
          (expiresIn as number) > MAX_EXPIRES_IN_SECONDS
        ) {
          throw new OperationError(`ExpiresIn must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN_SECONDS}`);
        }
        if (params != null && (typeof params !== 'object' || Array.isArray(params))) {
          throw new OperationError('Params must be a dict of the operation arguments');
        }
        const { Command } = operations.get(clientMethod);
        const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
        return getSignedUrl(client as Parameters<typeof getSignedUrl>[0], new Command(params ?? {}) as never, {
          expiresIn: expiresIn as number,
        });
      },
    ),
  };
}
