import type { ArithmeticOp, CompareOp, CompiledTemplate, Expr } from './template-ast';
import { runtimeError } from './template-error';
import { bounded, FILTERS, tooLarge } from './template-filters';
import { TemplateLimits } from './template-limits';
import { TESTS } from './template-tests';
import {
  equal,
  failUndefined,
  isBytes,
  isPlainObject,
  lookup,
  pythonStr,
  truthy,
  typeName,
  Undefined,
} from './template-values';

/** What a template reads: the raw credentials, the steps' derived values, the agent's context. */
export interface TemplateScope {
  readonly raw: unknown;
  readonly derived: unknown;
  readonly context: unknown;
}

/**
 * Renders a parsed template. A template that is one `{{ expression }}` returns the expression's value with its own
 * type (an int stays an int, as Jinja's NativeEnvironment); anything else is text. An undefined result is an error
 * (StrictUndefined), so a missing credential is reported by name instead of being sent as "None".
 */
export function renderTemplate(template: CompiledTemplate, scope: TemplateScope): unknown {
  const evaluation = new Evaluation(scope);
  if (template.kind === 'expression') {
    const value = evaluation.evaluate(template.expr);
    if (value instanceof Undefined) failUndefined(value);
    return value;
  }
  let text = '';
  for (const part of template.parts) {
    text += typeof part === 'string' ? part : pythonStr(evaluation.evaluate(part));
    if (text.length > TemplateLimits.maxValueLength) throw tooLarge();
  }
  return text;
}

/** A `when` condition: its truth (an undefined value in it is an error, as in Jinja's `{% if %}` under StrictUndefined). */
export function evaluateCondition(expr: Expr, scope: TemplateScope): boolean {
  return truthy(new Evaluation(scope).evaluate(expr));
}

class Evaluation {
  readonly #scope: TemplateScope;
  #steps = 0;

  constructor(scope: TemplateScope) {
    this.#scope = scope;
  }

  evaluate(expr: Expr): unknown {
    if (++this.#steps > TemplateLimits.maxEvaluationSteps) {
      throw runtimeError(`template evaluation exceeded ${TemplateLimits.maxEvaluationSteps} steps`);
    }
    switch (expr.type) {
      case 'literal':
        return expr.value;
      case 'namespace':
        return this.#scope[expr.name];
      case 'attribute':
        return lookup(this.evaluate(expr.object), expr.name, expr.name);
      case 'item': {
        const object = this.evaluate(expr.object);
        const key = this.evaluate(expr.key);
        if (key instanceof Undefined) failUndefined(key);
        return lookup(object, key, typeof key === 'string' || typeof key === 'number' ? String(key) : 'item');
      }
      case 'list':
        return expr.items.map((item) => this.#defined(item));
      case 'dict':
        // fromEntries defines own properties: a "__proto__" key stays a key, never a prototype.
        return Object.fromEntries(
          expr.entries.map(([key, value]) => {
            const name = this.#defined(key);
            if (typeof name !== 'string' && typeof name !== 'number' && typeof name !== 'boolean' && name !== null) {
              throw runtimeError(`unhashable type: '${typeName(name)}'`);
            }
            return [pythonStr(name), this.#defined(value)];
          }),
        );
      case 'unary':
        return this.#unary(expr.op, expr.operand);
      case 'binary':
        return this.#binary(expr.op, this.evaluate(expr.left), this.evaluate(expr.right));
      case 'logical': {
        const left = this.evaluate(expr.left);
        const leftTrue = truthy(left);
        if (expr.op === 'and') return leftTrue ? this.evaluate(expr.right) : left;
        return leftTrue ? left : this.evaluate(expr.right);
      }
      case 'compare':
        return this.#compare(expr);
      case 'filter': {
        const filter = FILTERS.get(expr.name);
        if (!filter) throw runtimeError(`unknown filter '${expr.name}'`);
        const target = this.evaluate(expr.target);
        const args = expr.args.map((arg) => this.evaluate(arg));
        for (const [name, arg] of expr.kwargs) {
          const index = filter.params.indexOf(name);
          if (index === -1) throw runtimeError(`filter '${expr.name}' has no argument '${name}'`);
          args[index] = this.evaluate(arg);
        }
        if (args.length > filter.params.length) throw runtimeError(`too many arguments for filter '${expr.name}'`);
        return filter.apply(target, ...args);
      }
      case 'test': {
        const test = TESTS.get(expr.name);
        if (!test) throw runtimeError(`unknown test '${expr.name}'`);
        return test(this.evaluate(expr.target)) !== expr.negated;
      }
      case 'conditional':
        if (truthy(this.evaluate(expr.test))) return this.evaluate(expr.whenTrue);
        return expr.otherwise ? this.evaluate(expr.otherwise) : new Undefined('conditional without else');
    }
  }

  #defined(expr: Expr): unknown {
    const value = this.evaluate(expr);
    if (value instanceof Undefined) failUndefined(value);
    return value;
  }

  #unary(op: '-' | '+' | 'not', operand: Expr): unknown {
    const value = this.evaluate(operand);
    if (op === 'not') return !truthy(value);
    const number = asNumber(value, op);
    return op === '-' ? -number : number;
  }

  #binary(op: ArithmeticOp, left: unknown, right: unknown): unknown {
    if (left instanceof Undefined) failUndefined(left);
    if (right instanceof Undefined) failUndefined(right);
    if (op === '~') return bounded(pythonStr(left) + pythonStr(right));
    if (op === '+') {
      if (typeof left === 'string' && typeof right === 'string') return bounded(left + right);
      if (Array.isArray(left) && Array.isArray(right)) {
        if (left.length + right.length > TemplateLimits.maxValueLength) throw tooLarge();
        return [...left, ...right];
      }
    }
    const a = asNumber(left, op, right);
    const b = asNumber(right, op, left);
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        if (b === 0) throw runtimeError('division by zero');
        return a / b;
      case '//':
        if (b === 0) throw runtimeError('integer division or modulo by zero');
        return Math.floor(a / b);
      case '%':
        if (b === 0) throw runtimeError('integer division or modulo by zero');
        return a - b * Math.floor(a / b);
      case '**': {
        const result = a ** b;
        if (!Number.isFinite(result)) throw runtimeError('numeric result out of range');
        return result;
      }
    }
  }

  #compare(expr: Extract<Expr, { type: 'compare' }>): boolean {
    let left = this.evaluate(expr.first);
    for (const [op, rightExpr] of expr.rest) {
      const right = this.evaluate(rightExpr);
      if (!compare(op, left, right)) return false;
      left = right;
    }
    return true;
  }
}

function asNumber(value: unknown, op: string, other?: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const types = other === undefined ? `'${typeName(value)}'` : `'${typeName(value)}' and '${typeName(other)}'`;
  throw runtimeError(`unsupported operand type(s) for ${op}: ${types}`);
}

function compare(op: CompareOp, left: unknown, right: unknown): boolean {
  switch (op) {
    case '==':
      return equal(left, right);
    case '!=':
      return !equal(left, right);
    case 'in':
      return contains(right, left);
    case 'not in':
      return !contains(right, left);
    default:
      return order(op, left, right);
  }
}

function contains(container: unknown, item: unknown): boolean {
  if (container instanceof Undefined) failUndefined(container);
  if (item instanceof Undefined) failUndefined(item);
  if (typeof container === 'string') {
    if (typeof item !== 'string')
      throw runtimeError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((element) => equal(element, item));
  if (isPlainObject(container)) return typeof item === 'string' && Object.hasOwn(container, item);
  if (isBytes(container) && typeof item === 'number') return container.includes(item);
  throw runtimeError(`argument of type '${typeName(container)}' is not iterable`);
}

function order(op: '<' | '<=' | '>' | '>=', left: unknown, right: unknown): boolean {
  if (left instanceof Undefined) failUndefined(left);
  if (right instanceof Undefined) failUndefined(right);
  const numeric = (v: unknown) => typeof v === 'number' || typeof v === 'boolean';
  let sign: number;
  if (numeric(left) && numeric(right)) sign = Math.sign(Number(left) - Number(right));
  else if (typeof left === 'string' && typeof right === 'string') sign = left < right ? -1 : left > right ? 1 : 0;
  else throw runtimeError(`'${op}' not supported between instances of '${typeName(left)}' and '${typeName(right)}'`);
  switch (op) {
    case '<':
      return sign < 0;
    case '<=':
      return sign <= 0;
    case '>':
      return sign > 0;
    case '>=':
      return sign >= 0;
  }
}
