import { BadRequestError, MethodNotAllowedError, RouteNotFoundError } from '../errors/agent-errors';

/**
 * A fixed table of path patterns ("/api/v1/agent/execute/:connection_type/:operation_name", "*key" for the rest of
 * the path). Hand-written rather than a routing library: the route set is small and static, matching is a few
 * lines, and every byte here sits in the chunk a health check loads (SPEC §11).
 */

export interface RouteMatch<H> {
  readonly handler: H;
  readonly params: Readonly<Record<string, string>>;
}

interface CompiledRoute<H> {
  readonly methods: readonly string[];
  readonly segments: readonly string[];
  readonly handler: H;
}

/** The parameters of a route without any: one frozen object, not one per request. */
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(Object.create(null));

export class Router<H> {
  readonly #routes: CompiledRoute<H>[] = [];
  /**
   * Routes without parameters by their exact path (the health check): one Map lookup instead of splitting the path
   * and trying the table. Only the first route of a path is kept, as the table walk would find it first.
   */
  readonly #exact = new Map<string, CompiledRoute<H>>();

  add(methods: readonly string[], pattern: string, handler: H): this {
    const route = { methods, segments: splitPath(pattern), handler };
    const exact = route.segments.every((part) => !part.startsWith(':') && !part.startsWith('*'));
    // Kept only when no earlier route matches the same path (the table walk would have found that one first).
    const path = `/${route.segments.join('/')}`;
    const shadowed = this.#routes.some((earlier) => matchSegments(earlier.segments, route.segments));
    if (exact && !shadowed) this.#exact.set(path, route);
    this.#routes.push(route);
    return this;
  }

  /** The handler for a request, or a RouteNotFoundError (404) / MethodNotAllowedError (405). */
  match(method: string, path: string): RouteMatch<H> {
    const exact = this.#exact.get(path);
    if (exact?.methods.includes(method)) return { handler: exact.handler, params: NO_PARAMS };
    const segments = splitPath(path);
    const allowed: string[] = [];
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.methods.includes(method)) return { handler: route.handler, params };
      allowed.push(...route.methods);
    }
    if (allowed.length > 0) throw new MethodNotAllowedError(method, path, [...new Set(allowed)]);
    throw new RouteNotFoundError(method, path);
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchSegments(pattern: readonly string[], path: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = Object.create(null);
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i] as string;
    if (part.startsWith('*')) {
      if (i >= path.length) return undefined;
      params[part.slice(1)] = path.slice(i).map(decodeSegment).join('/');
      return params;
    }
    const actual = path[i];
    if (actual === undefined) return undefined;
    if (part.startsWith(':')) params[part.slice(1)] = decodeSegment(actual);
    else if (part !== actual) return undefined;
  }
  return path.length === pattern.length ? params : undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadRequestError(`Malformed percent-encoding in path segment: ${segment}`);
  }
}
