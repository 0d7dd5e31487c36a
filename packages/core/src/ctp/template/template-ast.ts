/** The expression tree of the CTP template subset: data in, data out, no calls except the built-in filters. */
export type Expr =
  | { readonly type: 'literal'; readonly value: null | boolean | number | string }
  | { readonly type: 'namespace'; readonly name: Namespace }
  | { readonly type: 'attribute'; readonly object: Expr; readonly name: string }
  | { readonly type: 'item'; readonly object: Expr; readonly key: Expr }
  | { readonly type: 'list'; readonly items: readonly Expr[] }
  | { readonly type: 'dict'; readonly entries: readonly (readonly [Expr, Expr])[] }
  | { readonly type: 'unary'; readonly op: '-' | '+' | 'not'; readonly operand: Expr }
  | { readonly type: 'binary'; readonly op: ArithmeticOp; readonly left: Expr; readonly right: Expr }
  | { readonly type: 'logical'; readonly op: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  | { readonly type: 'compare'; readonly first: Expr; readonly rest: readonly (readonly [CompareOp, Expr])[] }
  | {
      readonly type: 'filter';
      readonly name: string;
      readonly target: Expr;
      readonly args: readonly Expr[];
      readonly kwargs: readonly (readonly [string, Expr])[];
    }
  | { readonly type: 'test'; readonly name: string; readonly target: Expr; readonly negated: boolean }
  | {
      readonly type: 'conditional';
      readonly test: Expr;
      readonly whenTrue: Expr;
      readonly otherwise: Expr | undefined;
    };

/** The only names a template reads: the pipeline's three namespaces. */
export type Namespace = 'raw' | 'derived' | 'context';

export type ArithmeticOp = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '~';
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';

/** A parsed template: one expression alone keeps its value's type; text and expressions join into a string. */
export type CompiledTemplate =
  | { readonly kind: 'expression'; readonly expr: Expr }
  | { readonly kind: 'text'; readonly parts: readonly (string | Expr)[] };
