// A parser for the JSON that RocketMQ's Java side writes with fastjson.
//
// fastjson writes maps whose keys are not strings without quoting them, so replies are not
// always strict JSON:
//   {"brokerAddrs":{0:"127.0.0.1:10911"}}                            (Long keys, e.g. broker ids)
//   {"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{...}}} (object keys: MessageQueue)
// This parser accepts those forms. In the returned value a non-string key becomes the canonical
// JSON text of the key (`0`, `{"brokerName":"b","queueId":0,"topic":"t"}`); `objectKey()` turns
// such a key back into its value. Everything else is standard JSON.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export class FastjsonSyntaxError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at position ${position}`);
    this.name = "FastjsonSyntaxError";
  }
}

export function parseFastjson(text: string): JsonValue {
  // Most replies are strict JSON: the native parser is much faster, so try it first.
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    // fastjson's extensions (unquoted or object keys): parse it ourselves.
  }
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value();
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail("unexpected text after the value");
  return value;
}

/** Recovers a map key written by fastjson: the parsed object for an object key, else the key. */
export function objectKey(key: string): JsonValue {
  const first = key.trimStart()[0];
  if (first === "{" || first === "[") return parseFastjson(key);
  return key;
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class Parser {
  private at = 0;

  constructor(private readonly text: string) {}

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

  value(): JsonValue {
    const c = this.text[this.at];
    switch (c) {
      case "{":
        return this.object();
      case "[":
        return this.array();
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
        if (c === "-" || (c >= "0" && c <= "9")) return this.number();
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

  private number(): number {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail("invalid number");
    this.at += match[0].length;
    return Number(match[0]);
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
    let out = "";
    let i = start;
    while (i < t.length) {
      const c = t[i];
      if (c === '"') {
        this.at = i + 1;
        return out;
      }
      if (c !== "\\") {
        out += c;
        i++;
        continue;
      }
      const e = t[i + 1];
      switch (e) {
        case '"':
        case "\\":
        case "/":
          out += e;
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          const hex = t.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.at = i;
            this.fail("invalid \\u escape");
          }
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          this.at = i;
          this.fail("invalid escape");
      }
      i += 2;
    }
    this.at = i;
    return this.fail("unterminated string");
  }

  private array(): JsonValue[] {
    this.at++;
    const items: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.at] === "]") {
      this.at++;
      return items;
    }
    for (;;) {
      this.skipSpace();
      items.push(this.value());
      this.skipSpace();
      const c = this.text[this.at++];
      if (c === "]") return items;
      if (c !== ",") {
        this.at--;
        this.fail("expected , or ] in array");
      }
    }
  }

  private object(): { [key: string]: JsonValue } {
    this.at++;
    const result: { [key: string]: JsonValue } = {};
    this.skipSpace();
    if (this.text[this.at] === "}") {
      this.at++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      const key = this.key();
      this.skipSpace();
      if (this.text[this.at] !== ":") this.fail("expected : after object key");
      this.at++;
      this.skipSpace();
      const value = this.value();
      // A peer-chosen key must never reach Object.prototype.
      if (key === "__proto__") Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      else result[key] = value;
      this.skipSpace();
      const c = this.text[this.at++];
      if (c === "}") return result;
      if (c !== ",") {
        this.at--;
        this.fail("expected , or } in object");
      }
    }
  }

  /** An object key: a string, or (fastjson) a bare number, literal, object or array. */
  private key(): string {
    const c = this.text[this.at];
    if (c === '"') return this.string();
    if (c === "{" || c === "[") return canonicalJson(this.value());
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return String(this.number());
    if (c === "t" || c === "f" || c === "n") return String(this.value());
    return this.fail("expected an object key");
  }
}

/** JSON text with object keys sorted, so equal keys written in different orders compare equal. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
}
