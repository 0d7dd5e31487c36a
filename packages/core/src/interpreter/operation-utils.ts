import { REST_KEYWORDS, withParameters } from './method-parameters';

/** The `__utils` variable (apollo-inventory §2.4): one method, `build_dict(**kwargs)`, returns its kwargs. */
export function createOperationUtils(): Readonly<Record<string, unknown>> {
  return Object.freeze({
    build_dict: withParameters([REST_KEYWORDS], (kwargs: Record<string, unknown>) => ({ ...kwargs })),
  });
}
