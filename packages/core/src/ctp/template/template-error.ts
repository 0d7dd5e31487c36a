/**
 * A template that cannot be parsed, or an evaluation that fails. Messages name the problem and where it is (an
 * offset, a variable name from the template), never a value: values are credentials.
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  /** `syntax` errors are found without evaluating (the validate route reports them); `runtime` ones while rendering. */
  readonly kind: 'syntax' | 'runtime';

  constructor(kind: 'syntax' | 'runtime', message: string) {
    super(message);
    this.kind = kind;
  }
}

export const syntaxError = (message: string, offset?: number) =>
  new TemplateError('syntax', offset === undefined ? message : `${message} at offset ${offset}`);

export const runtimeError = (message: string) => new TemplateError('runtime', message);
