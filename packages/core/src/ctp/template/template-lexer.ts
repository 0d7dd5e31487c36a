import { syntaxError } from './template-error';
import { TemplateLimits } from './template-limits';

export type Token =
  | { readonly kind: 'name'; readonly value: string; readonly offset: number }
  | { readonly kind: 'string'; readonly value: string; readonly offset: number }
  | { readonly kind: 'number'; readonly value: number; readonly offset: number }
  | { readonly kind: 'op'; readonly value: string; readonly offset: number }
  | { readonly kind: 'end'; readonly value: ''; readonly offset: number };

/** A template's pieces: literal text, and the tokens of each `{{ … }}`. */
export type Piece = { readonly text: string } | { readonly tokens: readonly Token[]; readonly offset: number };

// Longest first, so `//` is not read as two `/` and `<=` not as `<`.
const OPERATORS = ['**', '//', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '~', '|', '.', ',', ':', '='];
const OPENERS: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set([')', ']', '}']);
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/**
 * Splits a template into text and `{{ expression }}` pieces, tokenizing each expression (Jinja's lexer rules for
 * the subset CTP uses). `{{-` / `-}}` trim the whitespace beside them. Statements (`{% … %}`) and comments
 * (`{# … #}`) are not part of the subset and are refused.
 */
export function lex(template: string): Piece[] {
  if (template.length > TemplateLimits.maxTemplateLength) {
    throw syntaxError(`template is longer than ${TemplateLimits.maxTemplateLength} characters`);
  }
  const pieces: Piece[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open === -1 || open + 1 >= template.length) {
      text += template.slice(i);
      break;
    }
    const next = template[open + 1];
    if (next === '%' || next === '#') {
      throw syntaxError(`${next === '%' ? 'statements ({% %})' : 'comments ({# #})'} are not supported`, open);
    }
    if (next !== '{') {
      text += template.slice(i, open + 1);
      i = open + 1;
      continue;
    }
    text += template.slice(i, open);
    let start = open + 2;
    if (template[start] === '-') {
      text = text.trimEnd();
      start++;
    }
    if (text) pieces.push({ text });
    text = '';
    const { tokens, end, trimAfter } = lexExpression(template, start);
    pieces.push({ tokens, offset: open });
    i = end;
    if (trimAfter) while (i < template.length && /\s/.test(template[i] as string)) i++;
  }
  if (text) pieces.push({ text });
  return pieces;
}

function lexExpression(source: string, start: number): { tokens: Token[]; end: number; trimAfter: boolean } {
  const tokens: Token[] = [];
  const brackets: string[] = [];
  let i = start;
  while (i < source.length) {
    const char = source[i] as string;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    // `}}` ends the expression only outside brackets: `{{ {'a': {'b': 1}} }}` is one expression.
    if (brackets.length === 0) {
      if (source.startsWith('}}', i)) return { tokens: [...tokens, endToken(i)], end: i + 2, trimAfter: false };
      if (source.startsWith('-}}', i)) return { tokens: [...tokens, endToken(i)], end: i + 3, trimAfter: true };
    }
    if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i, i + 256)) as RegExpExecArray;
      tokens.push({ kind: 'name', value: match[0], offset: i });
      i += match[0].length;
      continue;
    }
    if (/[0-9]/.test(char)) {
      const match = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i, i + 64)) as RegExpExecArray;
      tokens.push({ kind: 'number', value: Number(match[0]), offset: i });
      i += match[0].length;
      continue;
    }
    if (char === "'" || char === '"') {
      const { value, end } = lexString(source, i);
      tokens.push({ kind: 'string', value, offset: i });
      i = end;
      continue;
    }
    if (OPENERS[char]) {
      brackets.push(OPENERS[char] as string);
      tokens.push({ kind: 'op', value: char, offset: i });
      i++;
      continue;
    }
    if (CLOSERS.has(char)) {
      if (brackets.pop() !== char) throw syntaxError(`unexpected '${char}'`, i);
      tokens.push({ kind: 'op', value: char, offset: i });
      i++;
      continue;
    }
    const operator = OPERATORS.find((op) => source.startsWith(op, i));
    if (!operator) throw syntaxError(`unexpected character '${char}'`, i);
    tokens.push({ kind: 'op', value: operator, offset: i });
    i += operator.length;
  }
  throw syntaxError("unclosed '{{'", start - 2);
}

function lexString(source: string, start: number): { value: string; end: number } {
  const quote = source[start];
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const char = source[i] as string;
    if (char === quote) return { value, end: i + 1 };
    if (char === '\\') {
      const escaped = source[i + 1] ?? '';
      const hex = escaped === 'x' ? 2 : escaped === 'u' ? 4 : 0;
      if (hex > 0 && /^[0-9a-fA-F]+$/.test(source.slice(i + 2, i + 2 + hex)) && i + 2 + hex <= source.length) {
        value += String.fromCharCode(Number.parseInt(source.slice(i + 2, i + 2 + hex), 16));
        i += 2 + hex;
        continue;
      }
      // Python keeps an unknown escape as it is (backslash included).
      value += ESCAPES[escaped] ?? `\\${escaped}`;
      i += 2;
      continue;
    }
    value += char;
    i++;
  }
  throw syntaxError('unterminated string', start);
}

const endToken = (offset: number): Token => ({ kind: 'end', value: '', offset });
