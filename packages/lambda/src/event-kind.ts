/** Which HTTP shape a Lambda event has; the answer mirrors it. */
export type EventKind = 'alb' | 'apigw-v2' | 'apigw-v1';

/*
 * Decided from structural facts only (cheap on the hot path, and no header can lie about it):
 * - `requestContext.elb` exists only on ALB target events;
 * - payload 2.0 (HTTP API, Function URL) has `rawPath` AND `requestContext.http`. `rawPath` alone is not enough: a
 *   REST v1 event behind a custom-domain base path mapping carries it too (honojs/hono#5015);
 * - everything else is REST v1, including a direct invoke without `requestContext` (the seed README's payload).
 */
export function eventKindOf(event: unknown): EventKind {
  const context = (event as { requestContext?: Record<string, unknown> } | null)?.requestContext;
  if (context && typeof context === 'object') {
    if (context.elb) return 'alb';
    if (context.http && typeof (event as { rawPath?: unknown }).rawPath === 'string') return 'apigw-v2';
  }
  return 'apigw-v1';
}
