// A parser for the JSON that RocketMQ's Java side writes with fastjson, built to survive any reply.
//
// fastjson writes maps whose keys are not strings without quoting them, so replies are not
// always strict JSON:
//   {"brokerAddrs":{0:"127.0.0.1:10911"}}                            (Long keys, e.g. broker ids)
//   {"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{...}}} (object keys: MessageQueue)
// This parser accepts those forms. In the returned value a number key stays the text the peer
// wrote (`0`, `-0` and `0.0` are three keys), and an object or array key becomes its canonical
// text (fields sorted, no spaces, nested keys written as they are, not escaped again);
// `objectKey()` turns such a key back into its value.
//
// Cost is bounded: nesting depth, key length and the depth of a structured key are limited, each
// key's canonical text is built once from its parts, and a deadline is checked while parsing, so
// the work is linear in the size of the text. Every object it returns has a null prototype, so a
// peer's `__proto__`, `constructor` or `toString` key is just a key.

import { emptyObject } from "./nameMaps";

export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

export class FastjsonSyntaxError extends Error {
  constructor(message: string, readonly position?: number) {
    super(position === undefined ? message : `${message} at position ${position}`);
    this.name = "FastjsonSyntaxError";
  }
}

/** Parsing was stopped at the call's deadline. */
export class ParseDeadlineError extends Error {
  constructor() {
    super("reading the reply ran past the call's deadline");
    this.name = "ParseDeadlineError";
  }
}

export interface ParseLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Longest object key, in characters (a structured key counts its canonical text). */
  maxKeyLength: number;
  /** Deepest nesting inside an object or array used as a key (a MessageQueue key has 1). */
  maxKeyDepth: number;
  /** Date.now() after which parsing gives up. */
  deadline?: number;
}

export const DEFAULT_PARSE_LIMITS: Readonly<ParseLimits> = { maxDepth: 64, maxKeyLength: 4096, maxKeyDepth: 8 };

export function parseFastjson(text: string, limits: Partial<ParseLimits> = {}): JsonValue {
  const all: ParseLimits = { ...DEFAULT_PARSE_LIMITS, ...limits };
  // Most replies are strict JSON: the native parser is much faster, so try it first, then bound
  // its result in one linear pass. It is slow on deep nesting (2 MB of nested arrays: seconds), so
  // a cheaper scan refuses that first.
  checkNesting(text, all.maxDepth);
  let strict: unknown;
  let isStrict = true;
  try {
    strict = JSON.parse(text);
  } catch {
    // fastjson's extensions (unquoted or object keys): parse it ourselves.
    isStrict = false;
  }
  if (isStrict) return bounded(strict, 0, all);
  const parser = new Parser(text, all);
  parser.skipSpace();
  const value = parser.value(0);
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail("unexpected text after the value");
  return value;
}

/** Recovers a map key written by fastjson: the parsed value of an object or array key, else the key. */
export function objectKey(key: string, limits: Partial<ParseLimits> = {}): JsonValue {
  const first = key[0];
  if (first === "{" || first === "[") return parseFastjson(key, limits);
  return key;
}

/** Throws when brackets outside strings nest deeper than `maxDepth`. */
function checkNesting(text: string, maxDepth: number): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: to the next quote that no backslash escapes.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) throw new FastjsonSyntaxError(`nesting deeper than ${maxDepth}`, i);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/**
 * Bounds what JSON.parse returned, in place: enforces the limits and drops each object's
 * prototype (cheaper than copying into new null-prototype objects; own `__proto__` keys that
 * JSON.parse made stay ordinary keys).
 */
function bounded(value: unknown, depth: number, limits: ParseLimits): JsonValue {
  if (value === null || typeof value !== "object") return value as JsonValue;
  if (depth >= limits.maxDepth) throw new FastjsonSyntaxError(`nesting deeper than ${limits.maxDepth}`);
  if (Array.isArray(value)) {
    for (const item of value) bounded(item, depth + 1, limits);
    return value as JsonValue[];
  }
  const object = value as JsonObject;
  for (const key of Object.keys(object)) {
    if (key.length > limits.maxKeyLength) throw new FastjsonSyntaxError(`object key longer than ${limits.maxKeyLength} characters`);
    bounded(object[key], depth + 1, limits);
  }
  Object.setPrototypeOf(object, null);
  return object;
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
/** How many values are parsed between two looks at the clock. */
const DEADLINE_STRIDE = 4096;

class Parser {
  private at = 0;
  private steps = 0;

  constructor(
    private readonly text: string,
    private readonly limits: ParseLimits,
  ) {}

  atEnd(): boolean {
    return this.at >= this.text.length;
  }

  fail(message: string): never {
    throw new FastjsonSyntaxError(message, this.at);
  }

  skipSpace(): void {
    const t = this.text;
    while (this.at < t.length) {
      const c = t.charCodeAt(this.at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.at++;
      else break;
    }
  }

  private enter(depth: number): void {
    if (depth >= this.limits.maxDepth) this.fail(`nesting deeper than ${this.limits.maxDepth}`);
  }

  private tick(): void {
    if (this.limits.deadline !== undefined && ++this.steps % DEADLINE_STRIDE === 0 && Date.now() > this.limits.deadline) {
      throw new ParseDeadlineError();
    }
  }

  value(depth: number): JsonValue {
    this.tick();
    const c = this.text[this.at];
    switch (c) {
      case "{":
        return this.object(depth);
      case "[":
        return this.array(depth);
      case '"':
        return this.string();
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      case undefined:
        return this.fail("unexpected end of text");
      default:
        if (c === "-" || (c >= "0" && c <= "9")) return Number(this.numberText());
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.at)) {
      this.at += word.length;
      return value;
    }
    return this.fail(`expected ${word}`);
  }

  private numberText(): string {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail("invalid number");
    this.at += match[0].length;
    return match[0];
  }

  private string(): string {
    const t = this.text;
    const start = ++this.at;
    // Fast path: scan to the closing quote; fall back to unescaping at the first backslash.
    for (let i = start; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        this.at = i + 1;
        return t.slice(start, i);
      }
      if (c === 0x5c) break;
    }
    const parts: string[] = [];
    let i = start;
    let runStart = start;
    while (i < t.length) {
      const c = t[i];
      if (c === '"') {
        parts.push(t.slice(runStart, i));
        this.at = i + 1;
        return parts.join("");
      }
      if (c !== "\\") {
        i++;
        continue;
      }
      parts.push(t.slice(runStart, i));
      const e = t[i + 1];
      switch (e) {
        case '"':
        case "\\":
        case "/":
          parts.push(e);
          break;
        case "b":
          parts.push("\b");
          break;
        case "f":
          parts.push("\f");
          break;
        case "n":
          parts.push("\n");
          break;
        case "r":
          parts.push("\r");
          break;
        case "t":
          parts.push("\t");
          break;
        case "u": {
          const hex = t.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.at = i;
            this.fail("invalid \\u escape");
          }
          parts.push(String.fromCharCode(parseInt(hex, 16)));
          i += 4;
          break;
        }
        default:
          this.at = i;
          this.fail("invalid escape");
      }
      i += 2;
      runStart = i;
    }
    this.at = i;
    return this.fail("unterminated string");
  }

  private array(depth: number): JsonValue[] {
    this.enter(depth);
    this.at++;
    const items: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.at] === "]") {
      this.at++;
      return items;
    }
    for (;;) {
      this.skipSpace();
      items.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.at++];
      if (c === "]") return items;
      if (c !== ",") {
        this.at--;
        this.fail("expected , or ] in array");
      }
    }
  }

  private object(depth: number): JsonObject {
    this.enter(depth);
    this.at++;
    const result = emptyObject<JsonValue>();
    this.skipSpace();
    if (this.text[this.at] === "}") {
      this.at++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      const key = this.key(depth, 0).key;
      this.colon();
      result[key] = this.value(depth + 1);
      if (this.endOfMember()) return result;
    }
  }

  private colon(): void {
    this.skipSpace();
    if (this.text[this.at] !== ":") this.fail("expected : after object key");
    this.at++;
    this.skipSpace();
  }

  /** Skips to after `,` (false) or `}` (true). */
  private endOfMember(): boolean {
    this.skipSpace();
    const c = this.text[this.at++];
    if (c === "}") return true;
    if (c !== ",") {
      this.at--;
      this.fail("expected , or } in object");
    }
    return false;
  }

  /**
   * An object key: a string, or (fastjson) a bare number, literal, object or array.
   * `key` is the property name; `text` its canonical text inside an enclosing structured key.
   */
  private key(depth: number, keyDepth: number): { key: string; text: string } {
    this.tick();
    const c = this.text[this.at];
    let key: string;
    let text: string;
    if (c === '"') {
      key = this.string();
      text = JSON.stringify(key);
    } else if (c === "{" || c === "[") {
      key = text = this.canonical(depth + 1, keyDepth);
    } else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      key = text = this.numberText();
    } else if (c === "t" || c === "f" || c === "n") {
      key = text = String(this.value(depth));
    } else {
      return this.fail("expected an object key");
    }
    if (key.length > this.limits.maxKeyLength) this.fail(`object key longer than ${this.limits.maxKeyLength} characters`);
    return { key, text };
  }

  /**
   * The canonical text of a value inside a structured key, built once from its parts. Only the
   * text is kept (it is the property name); objectKey() parses it back when a decoder needs it.
   */
  private canonical(depth: number, keyDepth: number): string {
    const c = this.text[this.at];
    if (c !== "{" && c !== "[") {
      if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.numberText();
      return JSON.stringify(this.value(depth));
    }
    if (keyDepth >= this.limits.maxKeyDepth) this.fail(`object key nested deeper than ${this.limits.maxKeyDepth}`);
    this.enter(depth);
    const start = this.at;
    this.at++;
    this.skipSpace();
    if (c === "[") {
      const items: string[] = [];
      if (this.text[this.at] === "]") this.at++;
      else {
        for (;;) {
          this.skipSpace();
          items.push(this.canonical(depth + 1, keyDepth + 1));
          this.skipSpace();
          const next = this.text[this.at++];
          if (next === "]") break;
          if (next !== ",") {
            this.at--;
            this.fail("expected , or ] in array");
          }
          this.keySpan(start);
        }
      }
      return `[${items.join(",")}]`;
    }
    // Members sorted by name; of a name given twice the last counts, as in a parsed object.
    const members: Array<{ name: string; text: string; order: number }> = [];
    if (this.text[this.at] === "}") this.at++;
    else {
      for (;;) {
        this.skipSpace();
        const key = this.key(depth, keyDepth + 1);
        this.colon();
        members.push({ name: key.key, text: `${key.text}:${this.canonical(depth + 1, keyDepth + 1)}`, order: members.length });
        this.keySpan(start);
        if (this.endOfMember()) break;
      }
    }
    members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : b.order - a.order));
    const parts: string[] = [];
    for (let i = 0; i < members.length; i++) if (i === 0 || members[i].name !== members[i - 1].name) parts.push(members[i].text);
    return `{${parts.join(",")}}`;
  }

  /** A structured key may not span more text than the key length limit (its canonical text is no longer). */
  private keySpan(start: number): void {
    if (this.at - start > this.limits.maxKeyLength) this.fail(`object key longer than ${this.limits.maxKeyLength} characters`);
  }
}

/** JSON text with object keys sorted, so equal values written in different orders compare equal. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
}
