import type { ArithmeticOp, CompareOp, CompiledTemplate, Expr, Namespace } from './template-ast';
import { syntaxError } from './template-error';
import { FILTERS } from './template-filters';
import { lex, type Token } from './template-lexer';
import { TemplateLimits } from './template-limits';
import { TESTS } from './template-tests';

const NAMESPACES = new Set<string>(['raw', 'derived', 'context']);
const CONSTANTS: Readonly<Record<string, null | boolean>> = {
  none: null,
  None: null,
  true: true,
  True: true,
  false: false,
  False: false,
};
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);
/** Keywords that may not be used as plain names. */
const KEYWORDS = new Set(['and', 'or', 'not', 'if', 'else', 'is', 'in']);

/**
 * Attribute names that reach a language's machinery rather than data: refused while parsing, so such a template is
 * rejected before it runs (lookups at run time read own data keys only, so they would find nothing anyway).
 */
function assertDataKey(name: string, offset: number): void {
  if (name.startsWith('__') || name === 'constructor' || name === 'prototype') {
    throw syntaxError(`attribute '${name}' is not allowed`, offset);
  }
}

/** Parses a template string (see template-lexer for the pieces). Throws a syntax TemplateError. */
export function parseTemplate(template: string): CompiledTemplate {
  const pieces = lex(template);
  const parts = pieces.map((piece) =>
    'text' in piece ? piece.text : checkedDepth(new Parser(piece.tokens).parseAll()),
  );
  const [only] = parts;
  if (parts.length === 1 && typeof only !== 'string' && only !== undefined) return { kind: 'expression', expr: only };
  return { kind: 'text', parts };
}

/** Parses a bare expression (a step's `when`), as Jinja's `{% if … %}` would. */
export function parseExpression(expression: string): Expr {
  if (expression.length > TemplateLimits.maxTemplateLength) {
    throw syntaxError(`expression is longer than ${TemplateLimits.maxTemplateLength} characters`);
  }
  const pieces = lex(`{{ ${expression} }}`);
  const [only] = pieces;
  if (pieces.length !== 1 || only === undefined || 'text' in only) throw syntaxError('expected one expression');
  return checkedDepth(new Parser(only.tokens).parseAll());
}

/**
 * Operator chains (`a ~ b ~ c …`) are built in loops, not by recursion, so the parser's nesting count does not see
 * them; the tree's depth is what the evaluator recurses through, so it is bounded here, iteratively.
 */
function checkedDepth(expr: Expr): Expr {
  const limit = TemplateLimits.maxNestingDepth * 2;
  const pending: [Expr, number][] = [[expr, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop() as [Expr, number];
    if (depth > limit) throw syntaxError(`expression nested deeper than ${limit} levels`);
    for (const child of childrenOf(node)) pending.push([child, depth + 1]);
  }
  return expr;
}

function childrenOf(expr: Expr): Expr[] {
  switch (expr.type) {
    case 'literal':
    case 'namespace':
      return [];
    case 'attribute':
      return [expr.object];
    case 'item':
      return [expr.object, expr.key];
    case 'list':
      return [...expr.items];
    case 'dict':
      return expr.entries.flat();
    case 'unary':
      return [expr.operand];
    case 'binary':
    case 'logical':
      return [expr.left, expr.right];
    case 'compare':
      return [expr.first, ...expr.rest.map(([, operand]) => operand)];
    case 'filter':
      return [expr.target, ...expr.args, ...expr.kwargs.map(([, value]) => value)];
    case 'test':
      return [expr.target];
    case 'conditional':
      return expr.otherwise ? [expr.test, expr.whenTrue, expr.otherwise] : [expr.test, expr.whenTrue];
  }
}

/** Recursive descent with Jinja's precedence: conditional, or, and, not, comparisons, + -, ~, * / // %, **, unary. */
class Parser {
  readonly #tokens: readonly Token[];
  #position = 0;
  #depth = 0;

  constructor(tokens: readonly Token[]) {
    this.#tokens = tokens;
  }

  parseAll(): Expr {
    if (this.#peek().kind === 'end') throw syntaxError('expected an expression', this.#peek().offset);
    const expr = this.#expression();
    const rest = this.#peek();
    if (rest.kind !== 'end') throw syntaxError(`unexpected '${rest.value}'`, rest.offset);
    return expr;
  }

  #expression(): Expr {
    return this.#nested(() => this.#conditional());
  }

  #nested<T>(parse: () => T): T {
    if (++this.#depth > TemplateLimits.maxNestingDepth) {
      throw syntaxError(`expression nested deeper than ${TemplateLimits.maxNestingDepth} levels`, this.#peek().offset);
    }
    try {
      return parse();
    } finally {
      this.#depth--;
    }
  }

  #conditional(): Expr {
    let expr = this.#or();
    while (this.#acceptName('if')) {
      const test = this.#or();
      const otherwise = this.#acceptName('else') ? this.#nested(() => this.#conditional()) : undefined;
      expr = { type: 'conditional', test, whenTrue: expr, otherwise };
    }
    return expr;
  }

  #or(): Expr {
    let left = this.#and();
    while (this.#acceptName('or')) left = { type: 'logical', op: 'or', left, right: this.#and() };
    return left;
  }

  #and(): Expr {
    let left = this.#not();
    while (this.#acceptName('and')) left = { type: 'logical', op: 'and', left, right: this.#not() };
    return left;
  }

  #not(): Expr {
    if (this.#acceptName('not')) return this.#nested(() => ({ type: 'unary', op: 'not', operand: this.#not() }));
    return this.#compare();
  }

  #compare(): Expr {
    const first = this.#additive();
    const rest: [CompareOp, Expr][] = [];
    while (true) {
      const token = this.#peek();
      if (token.kind === 'op' && COMPARISONS.has(token.value)) {
        this.#position++;
        rest.push([token.value as CompareOp, this.#additive()]);
      } else if (this.#acceptName('in')) {
        rest.push(['in', this.#additive()]);
      } else if (token.kind === 'name' && token.value === 'not' && this.#peekAt(1).value === 'in') {
        this.#position += 2;
        rest.push(['not in', this.#additive()]);
      } else {
        break;
      }
    }
    return rest.length === 0 ? first : { type: 'compare', first, rest };
  }

  #additive(): Expr {
    let left = this.#concat();
    while (this.#peekOp('+', '-')) {
      const op = this.#next().value as ArithmeticOp;
      left = { type: 'binary', op, left, right: this.#concat() };
    }
    return left;
  }

  #concat(): Expr {
    let left = this.#multiplicative();
    while (this.#peekOp('~')) {
      this.#position++;
      left = { type: 'binary', op: '~', left, right: this.#multiplicative() };
    }
    return left;
  }

  #multiplicative(): Expr {
    let left = this.#power();
    while (this.#peekOp('*', '/', '//', '%')) {
      const op = this.#next().value as ArithmeticOp;
      left = { type: 'binary', op, left, right: this.#power() };
    }
    return left;
  }

  #power(): Expr {
    let left = this.#unary();
    while (this.#peekOp('**')) {
      this.#position++;
      left = { type: 'binary', op: '**', left, right: this.#unary() };
    }
    return left;
  }

  /** As Jinja: a sign binds to its operand, then postfix lookups, then filters and tests apply to the whole. */
  #unary(): Expr {
    let expr: Expr;
    if (this.#peekOp('-', '+')) {
      const op = this.#next().value as '-' | '+';
      expr = this.#nested(() => ({ type: 'unary', op, operand: this.#unaryWithoutFilters() }));
    } else {
      expr = this.#postfix(this.#primary());
    }
    return this.#filtersAndTests(expr);
  }

  #unaryWithoutFilters(): Expr {
    if (this.#peekOp('-', '+')) {
      const op = this.#next().value as '-' | '+';
      return this.#nested(() => ({ type: 'unary', op, operand: this.#unaryWithoutFilters() }));
    }
    return this.#postfix(this.#primary());
  }

  #filtersAndTests(target: Expr): Expr {
    let expr = target;
    while (true) {
      if (this.#peekOp('|')) {
        this.#position++;
        const name = this.#expectName('a filter name');
        if (!FILTERS.has(name.value)) throw syntaxError(`unknown filter '${name.value}'`, name.offset);
        const { args, kwargs } = this.#peekOp('(') ? this.#arguments() : { args: [], kwargs: [] };
        expr = { type: 'filter', name: name.value, target: expr, args, kwargs };
      } else if (this.#acceptName('is')) {
        const negated = this.#acceptName('not');
        const name = this.#expectName('a test name');
        if (!TESTS.has(name.value)) throw syntaxError(`unknown test '${name.value}'`, name.offset);
        expr = { type: 'test', name: name.value, target: expr, negated };
      } else if (this.#peekOp('(')) {
        throw syntaxError('calls are not supported', this.#peek().offset);
      } else {
        return expr;
      }
    }
  }

  #arguments(): { args: Expr[]; kwargs: [string, Expr][] } {
    this.#expectOp('(');
    const args: Expr[] = [];
    const kwargs: [string, Expr][] = [];
    while (!this.#peekOp(')')) {
      const token = this.#peek();
      // `name=value`: `=` appears nowhere else in the subset.
      if (token.kind === 'name' && this.#isKeywordArgument()) {
        this.#position += 2;
        kwargs.push([token.value, this.#expression()]);
      } else {
        if (kwargs.length > 0) throw syntaxError('positional argument after keyword argument', token.offset);
        args.push(this.#expression());
      }
      if (!this.#peekOp(')')) this.#expectOp(',');
    }
    this.#expectOp(')');
    return { args, kwargs };
  }

  #isKeywordArgument(): boolean {
    const next = this.#peekAt(1);
    return next.kind === 'op' && next.value === '=';
  }

  #postfix(target: Expr): Expr {
    let expr = target;
    while (true) {
      if (this.#peekOp('.')) {
        this.#position++;
        const token = this.#next();
        if (token.kind === 'name') {
          assertDataKey(token.value, token.offset);
          expr = { type: 'attribute', object: expr, name: token.value };
        } else if (token.kind === 'number' && Number.isInteger(token.value)) {
          expr = { type: 'item', object: expr, key: { type: 'literal', value: token.value } };
        } else {
          throw syntaxError('expected an attribute name', token.offset);
        }
      } else if (this.#peekOp('[')) {
        const open = this.#next();
        const key = this.#expression();
        if (key.type === 'literal' && typeof key.value === 'string') assertDataKey(key.value, open.offset);
        this.#expectOp(']');
        expr = { type: 'item', object: expr, key };
      } else {
        return expr;
      }
    }
  }

  #primary(): Expr {
    const token = this.#next();
    switch (token.kind) {
      case 'string':
      case 'number':
        return { type: 'literal', value: token.value };
      case 'name': {
        if (Object.hasOwn(CONSTANTS, token.value)) return { type: 'literal', value: CONSTANTS[token.value] ?? null };
        if (NAMESPACES.has(token.value)) return { type: 'namespace', name: token.value as Namespace };
        if (KEYWORDS.has(token.value)) throw syntaxError(`unexpected '${token.value}'`, token.offset);
        throw syntaxError(`unknown name '${token.value}' (templates read raw, derived and context)`, token.offset);
      }
      case 'op':
        if (token.value === '(') {
          const expr = this.#expression();
          this.#expectOp(')');
          return expr;
        }
        if (token.value === '[') return this.#nested(() => this.#list());
        if (token.value === '{') return this.#nested(() => this.#dict());
        throw syntaxError(`unexpected '${token.value}'`, token.offset);
      case 'end':
        throw syntaxError('unexpected end of expression', token.offset);
    }
  }

  #list(): Expr {
    const items: Expr[] = [];
    while (!this.#peekOp(']')) {
      items.push(this.#expression());
      if (!this.#peekOp(']')) this.#expectOp(',');
    }
    this.#expectOp(']');
    return { type: 'list', items };
  }

  #dict(): Expr {
    const entries: [Expr, Expr][] = [];
    while (!this.#peekOp('}')) {
      const key = this.#expression();
      this.#expectOp(':');
      entries.push([key, this.#expression()]);
      if (!this.#peekOp('}')) this.#expectOp(',');
    }
    this.#expectOp('}');
    return { type: 'dict', entries };
  }

  #peek(): Token {
    return this.#peekAt(0);
  }

  #peekAt(ahead: number): Token {
    return this.#tokens[Math.min(this.#position + ahead, this.#tokens.length - 1)] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#position++;
    return token;
  }

  #peekOp(...ops: string[]): boolean {
    const token = this.#peek();
    return token.kind === 'op' && ops.includes(token.value);
  }

  #acceptName(name: string): boolean {
    const token = this.#peek();
    if (token.kind !== 'name' || token.value !== name) return false;
    this.#position++;
    return true;
  }

  #expectName(what: string): Extract<Token, { kind: 'name' }> {
    const token = this.#next();
    if (token.kind !== 'name') throw syntaxError(`expected ${what}`, token.offset);
    return token;
  }

  #expectOp(op: string): void {
    const token = this.#next();
    if (token.kind !== 'op' || token.value !== op) {
      throw syntaxError(
        token.kind === 'end' ? `expected '${op}'` : `expected '${op}', got '${token.value}'`,
        token.offset,
      );
    }
  }
}
