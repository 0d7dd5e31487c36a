/** The brand of a JsonText, checked instead of `instanceof` so it holds across module copies and realms. */
const JSON_TEXT = Symbol.for('artemis.json-text');

/**
 * A response body whose JSON text is already made (the health answer, encoded once per agent and trace id shape):
 * every adapter sends the text as it is, where a Buffer would be turned back into a string (Lambda) or a JSON
 * value encoded again. Anywhere else (a value inside another) it stands for the value it encodes.
 */
export class JsonText {
  readonly [JSON_TEXT] = true;
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

export function isJsonText(value: unknown): value is JsonText {
  return typeof value === 'object' && value !== null && (value as { [JSON_TEXT]?: unknown })[JSON_TEXT] === true;
}
