import type { CompiledTemplate, Expr } from './template-ast';
import { evaluateCondition, renderTemplate, type TemplateScope } from './template-evaluator';
import { parseExpression, parseTemplate } from './template-parser';

export type { CompiledTemplate, Expr } from './template-ast';
export { TemplateError } from './template-error';
export type { TemplateScope } from './template-evaluator';
export { TemplateLimits } from './template-limits';

/**
 * CTP's template language: the Jinja subset Apollo's pipelines use, implemented as a small tokenizer, parser and
 * evaluator over plain data. A string is a template only if it contains `{{` or `{%` (Apollo's rule); any other
 * value is used as it is.
 */
export type Compiled = { readonly template: CompiledTemplate } | { readonly literal: unknown };

export function compileValue(value: unknown): Compiled {
  return typeof value === 'string' && (value.includes('{{') || value.includes('{%'))
    ? { template: parseTemplate(value) }
    : { literal: value };
}

export function renderValue(compiled: Compiled, scope: TemplateScope): unknown {
  return 'template' in compiled ? renderTemplate(compiled.template, scope) : compiled.literal;
}

export function compileCondition(expression: string): Expr {
  return parseExpression(expression);
}

export function checkCondition(condition: Expr, scope: TemplateScope): boolean {
  return evaluateCondition(condition, scope);
}
