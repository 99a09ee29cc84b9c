/**
 * A strict JSON reader for event patterns. Our own (not JSON.parse) because EventBridge reads patterns
 * as a token stream: a number keeps its source text (its precision is checked), duplicate keys are all
 * seen in order (the later one wins per field path, nested objects merge), and syntax errors read like
 * the Jackson messages EventBridge returns.
 */

export type JsonNode =
  | { kind: 'object'; entries: Array<[string, JsonNode]> }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; raw: string; value: number }
  | { kind: 'true' }
  | { kind: 'false' }
  | { kind: 'null' };

export class JsonSyntaxError extends Error {}

const MAX_DEPTH = 100;

export function readJson(text: string): JsonNode {
  let pos = 0;

  const fail = (message: string): never => {
    throw new JsonSyntaxError(`${message}\n at position ${pos}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };
  const describe = (ch: string): string => `'${ch}' (code ${ch.charCodeAt(0)})`;
  const unrecognizedToken = (): never => {
    const match = /^[^\s,:{}[\]"]+/.exec(text.slice(pos));
    const token = match ? match[0] : text.charAt(pos);
    return fail(
      `Unrecognized token '${token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`,
    );
  };

  const readString = (): string => {
    pos++; // opening quote
    let out = '';
    let start = pos;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(start, pos);
        pos++;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(start, pos);
        const esc = text.charAt(pos + 1);
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (esc in simple) {
          out += simple[esc];
          pos += 2;
        } else if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
          out += String.fromCharCode(parseInt(text.slice(pos + 2, pos + 6), 16));
          pos += 6;
        } else {
          fail(`Unrecognized character escape ${describe(esc || ' ')}`);
        }
        start = pos;
        continue;
      }
      if (c < 0x20)
        fail(
          `Illegal unquoted character (CTRL-CHAR, code ${c}): has to be escaped using backslash to be included in string value`,
        );
      pos++;
    }
    return fail('Unexpected end-of-input: was expecting closing quote for a string value');
  };

  const readNumber = (): JsonNode => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos));
    if (!match) return unrecognizedToken();
    const after = text.charAt(pos + match[0].length);
    if (after && /[0-9A-Za-z.]/.test(after)) return unrecognizedToken();
    pos += match[0].length;
    return { kind: 'number', raw: match[0], value: Number(match[0]) };
  };

  const readValue = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail(`Maximum nesting depth (${MAX_DEPTH}) exceeded`);
    skipSpace();
    if (pos >= text.length) fail('Unexpected end-of-input: expected a value');
    const ch = text.charAt(pos);
    if (ch === '{') return readObject(depth);
    if (ch === '[') return readArray(depth);
    if (ch === '"') return { kind: 'string', value: readString() };
    if (ch === '-' || (ch >= '0' && ch <= '9')) return readNumber();
    for (const literal of ['true', 'false', 'null'] as const) {
      if (text.startsWith(literal, pos) && !/[0-9A-Za-z_]/.test(text.charAt(pos + literal.length))) {
        pos += literal.length;
        return { kind: literal };
      }
    }
    if (ch === ']' || ch === '}' || ch === ',' || ch === ':')
      fail(`Unexpected character (${describe(ch)}): expected a value`);
    return unrecognizedToken();
  };

  const readObject = (depth: number): JsonNode => {
    pos++;
    const entries: Array<[string, JsonNode]> = [];
    skipSpace();
    if (text.charAt(pos) === '}') {
      pos++;
      return { kind: 'object', entries };
    }
    for (;;) {
      skipSpace();
      const ch = text.charAt(pos);
      if (ch !== '"') {
        if (pos >= text.length) fail('Unexpected end-of-input: expected a field name');
        fail(`Unexpected character (${describe(ch)}): was expecting double-quote to start field name`);
      }
      const key = readString();
      skipSpace();
      if (text.charAt(pos) !== ':')
        fail(
          `Unexpected character (${describe(text.charAt(pos) || ' ')}): was expecting a colon to separate field name and value`,
        );
      pos++;
      entries.push([key, readValue(depth + 1)]);
      skipSpace();
      const next = text.charAt(pos);
      if (next === ',') {
        pos++;
        continue;
      }
      if (next === '}') {
        pos++;
        return { kind: 'object', entries };
      }
      if (pos >= text.length) fail('Unexpected end-of-input: expected close marker for Object');
      fail(`Unexpected character (${describe(next)}): was expecting comma to separate Object entries`);
    }
  };

  const readArray = (depth: number): JsonNode => {
    pos++;
    const items: JsonNode[] = [];
    skipSpace();
    if (text.charAt(pos) === ']') {
      pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(readValue(depth + 1));
      skipSpace();
      const next = text.charAt(pos);
      if (next === ',') {
        pos++;
        continue;
      }
      if (next === ']') {
        pos++;
        return { kind: 'array', items };
      }
      if (pos >= text.length) fail('Unexpected end-of-input: expected close marker for Array');
      fail(`Unexpected character (${describe(next)}): was expecting comma to separate Array entries`);
    }
  };

  const root = readValue(0);
  skipSpace();
  if (pos < text.length) fail(`Unexpected character (${describe(text.charAt(pos))}): expected end of input`);
  return root;
}
