import type { RouteHandler } from '../agent/agent-services';
import { RouteNotFoundError } from '../errors/agent-errors';
import { errorResponse } from '../http/responses';
import { firstQueryValue } from '../protocol/agent-request';
import { BINARY_CONTENT_TYPE } from '../protocol/agent-response';
import { FilesystemStorage } from './filesystem-storage';

/**
 * GET /api/v1/storage/signed/{key}: serves a FILESYSTEM pre-signed URL (SPEC §2, §7). The key is the full object name
 * (slashes allowed), the signature and expiry are in the query. Any other backend signs its own URLs, so the route
 * does not exist for them. Failures answer like a bucket would: 403 for a bad or expired URL, 404 for a gone object.
 */
export const signedUrlRoute: RouteHandler = async ({ request, params, services }) => {
  try {
    // No FILESYSTEM backend (another one, or none that works): the route does not exist here.
    const storage = await services.storage().catch(() => undefined);
    if (!(storage instanceof FilesystemStorage)) throw new RouteNotFoundError(request.method, request.path);
    const body = await storage.openSigned(
      params.key ?? '',
      firstQueryValue(request.query, 'expires'),
      firstQueryValue(request.query, 'signature'),
    );
    return { status: 200, headers: { 'content-type': BINARY_CONTENT_TYPE }, body };
  } catch (error) {
    return errorResponse(error, undefined);
  }
};
