// Inputs for the admin client's fuzz tier: replies captured from a real RocketMQ and mutated,
// adversarial fastjson text, and scripts for a loopback peer that answers with garbage, partial,
// split and oversized frames. Everything is drawn from fast-check arbitraries, so a seed replays
// a run exactly and a failure shrinks to a small input.

import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import {
  decodeClusterInfo,
  decodeConsumerOffsetTable,
  decodeConsumeStats,
  decodeGroupList,
  decodeProperties,
  decodeSubscriptionGroupTable,
  decodeTopicConfigTable,
  decodeTopicRoute,
  decodeTopicStats,
} from "../../src/admin/bodies";
import type { RocketMQAdminClient } from "../../src/admin/client";
import type { CallOptions } from "../../src/admin/connection";
import { framesOf } from "../admin/fakePeer";

/** A captured reply body, the decoder that reads it and the public call that returns it. */
export interface Capture {
  name: string;
  body: Buffer;
  decode: (body: Buffer | undefined) => unknown;
  call: (client: RocketMQAdminClient, broker: string, options?: CallOptions) => Promise<unknown>;
}

const CAPTURE_USES: Record<string, Pick<Capture, "decode" | "call">> = {
  "all-consumer-offsets": { decode: decodeConsumerOffsetTable, call: (c, b, o) => c.getAllConsumerOffsets(b, o) },
  "all-subscription-groups": { decode: decodeSubscriptionGroupTable, call: (c, b, o) => c.getAllSubscriptionGroups(b, o) },
  "all-topic-configs": { decode: decodeTopicConfigTable, call: (c, b, o) => c.getAllTopicConfigs(b, o) },
  "broker-config": { decode: decodeProperties, call: (c, b, o) => c.getBrokerConfig(b, o) },
  "cluster-info": { decode: decodeClusterInfo, call: (c, _b, o) => c.getClusterInfo(o) },
  "consume-stats": { decode: decodeConsumeStats, call: (c, b, o) => c.getConsumeStats(b, "g", "t", o) },
  "consumed-by": { decode: decodeGroupList, call: (c, b, o) => c.queryTopicConsumeByWho(b, "t", o) },
  "topic-route": { decode: decodeTopicRoute, call: (c, _b, o) => c.getTopicRoute("t", o) },
  "topic-stats": { decode: decodeTopicStats, call: (c, b, o) => c.getTopicStats(b, "t", o) },
};

/** Every capture of every release (fixtures/remoting/<release>/), named "<release>/<capture>". */
export function loadCaptures(): Capture[] {
  const root = path.join(__dirname, "..", "fixtures", "remoting");
  return fs.readdirSync(root).flatMap((release) =>
    Object.entries(CAPTURE_USES).map(([capture, use]) => {
      const name = `${release}/${capture}`;
      const body = framesOf(fs.readFileSync(path.join(root, release, `${capture}.bin`)))[0].body;
      if (!body) throw new Error(`capture ${name} has no body`);
      return { name, body, ...use };
    }),
  );
}

// ---- mutations of captured bodies ----

type Mutation = (text: string) => string;

/** Spots in the text where a mutation applies: [start, end) of a token of the given kind. */
function spans(text: string, pattern: RegExp): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const m of text.matchAll(pattern)) out.push([m.index!, m.index! + m[0].length]);
  return out;
}

function replaceNth(text: string, pattern: RegExp, pick: number, by: (token: string) => string): string {
  const all = spans(text, pattern);
  if (all.length === 0) return text;
  const [start, end] = all[pick % all.length];
  return text.slice(0, start) + by(text.slice(start, end)) + text.slice(end);
}

const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/g;
const STRING = /"(?:[^"\\]|\\.)*"/g;
const OPEN = /[{[]/g;

const SPECIAL_NUMBERS = ["1e999", "-1e999", "-0", "0.0", "1e308", "9007199254740993", "-1", "0.5", "1E+2", "00", "-", "1e", "NaN", "Infinity"];
const SPECIAL_STRINGS = ['"__proto__"', '"constructor"', '"toString"', '{"toString":0}', "[]", "null", "true", '"\\ud800"', '"\\u0000"', '""', "{}", "0"];

function mutation(): fc.Arbitrary<Mutation> {
  const pick = fc.nat();
  return fc.oneof(
    // Byte-level damage.
    fc.tuple(pick, fc.string({ maxLength: 8 })).map(([at, s]): Mutation => (t) => t.slice(0, at % (t.length + 1)) + s + t.slice(at % (t.length + 1))),
    fc.tuple(pick, fc.nat({ max: 64 })).map(([at, n]): Mutation => (t) => t.slice(0, at % (t.length + 1)) + t.slice((at % (t.length + 1)) + n)),
    fc.tuple(pick, fc.integer({ min: 0, max: 0xffff })).map(([at, c]): Mutation => (t) => {
      const i = at % Math.max(1, t.length);
      return t.slice(0, i) + String.fromCharCode(c) + t.slice(i + 1);
    }),
    pick.map((at): Mutation => (t) => t.slice(0, at % (t.length + 1))),
    // Token-level damage: numbers, strings, brackets.
    fc.tuple(pick, fc.constantFrom(...SPECIAL_NUMBERS)).map(([n, by]): Mutation => (t) => replaceNth(t, NUMBER, n, () => by)),
    fc.tuple(pick, fc.constantFrom(...SPECIAL_STRINGS, ...SPECIAL_NUMBERS)).map(([n, by]): Mutation => (t) => replaceNth(t, STRING, n, () => by)),
    fc.tuple(pick, fc.constantFrom("{", "[", "}", "]", ":", ",", "")).map(([n, by]): Mutation => (t) => replaceNth(t, OPEN, n, () => by)),
    // Structure-level damage: an object key nested deep, a quoted key that is not JSON, a duplicated slice.
    fc.tuple(pick, fc.integer({ min: 0, max: 30 })).map(([n, d]): Mutation => (t) => replaceNth(t, STRING, n, () => nestedKey(d))),
    pick.map((n): Mutation => (t) => replaceNth(t, STRING, n, () => '"{oops"')),
    fc.tuple(pick, pick, fc.integer({ min: 1, max: 8 })).map(([a, b, times]): Mutation => (t) => {
      const i = a % (t.length + 1);
      const j = Math.min(t.length, i + (b % 256));
      return t.slice(0, j) + t.slice(i, j).repeat(times) + t.slice(j);
    }),
  );
}

/** A captured body with one to eight mutations applied. */
export function mutatedCapture(captures: Capture[]): fc.Arbitrary<{ capture: Capture; body: Buffer }> {
  return fc.tuple(fc.constantFrom(...captures), fc.array(mutation(), { minLength: 1, maxLength: 8 })).map(([capture, mutations]) => ({
    capture,
    body: Buffer.from(mutations.reduce((text, m) => m(text), capture.body.toString("utf8")), "utf8"),
  }));
}

// ---- adversarial fastjson ----

/** K0 = {"a":0}, K(n+1) = { K(n) :0}. */
export function nestedKey(depth: number, leaf = "a"): string {
  let key = `{${JSON.stringify(leaf)}:0}`;
  for (let i = 0; i < depth; i++) key = `{${key}:0}`;
  return key;
}

const scalarText = fc.oneof(
  fc.constantFrom(...SPECIAL_NUMBERS.slice(0, 10), "true", "false", "null"),
  fc.double().map((n) => (Number.isFinite(n) ? String(n) : "0")),
  fc.string({ maxLength: 12, unit: "binary" }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"__proto__"', '"constructor"', '"toString"', '"\\ud800"', '"\\u0000\\n"', '"\\/"'),
);

const keyText = fc.oneof(
  fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"__proto__"', '"constructor"', '"toString"', '"hasOwnProperty"', "0", "-0", "0.0", "1e3", "true", "null"),
);

/** fastjson-shaped text: strict JSON plus unquoted number, literal and object keys. */
const fastjsonText: fc.Arbitrary<string> = fc.letrec<{ value: string; object: string; array: string; key: string }>((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalarText, tie("object"), tie("array")),
  object: fc.array(fc.tuple(tie("key"), tie("value")), { maxLength: 5 }).map((members) => `{${members.map(([k, v]) => `${k}:${v}`).join(",")}}`),
  array: fc.array(tie("value"), { maxLength: 5 }).map((items) => `[${items.join(",")}]`),
  key: fc.oneof({ depthSize: "small" }, keyText, tie("object"), tie("array")),
})).value;

/** Text built to hurt a parser: deep nesting, nested object keys, long keys and strings, many keys. */
const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 1, max: 200_000 }).map((n) => "[".repeat(n) + "]".repeat(n)),
  fc.integer({ min: 1, max: 100_000 }).map((n) => "{0:".repeat(n) + "0" + "}".repeat(n)),
  fc.integer({ min: 1, max: 100_000 }).map((n) => '{"a":'.repeat(n) + "0" + "}".repeat(n)),
  fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 64 })).map(
    ([d, n]) => `{"offsetTable":{${Array.from({ length: n }, (_, i) => `${nestedKey(d, `k${i}`)}:{}`).join(",")}}}`,
  ),
  fc.integer({ min: 1, max: 200_000 }).map((n) => `{${JSON.stringify("k".repeat(n))}:1}`),
  fc.integer({ min: 1, max: 200_000 }).map((n) => `{{${JSON.stringify("k".repeat(n))}:1}:1}`),
  fc.integer({ min: 1, max: 50_000 }).map((n) => `{"topicConfigTable":{${Array.from({ length: n }, (_, i) => `"t${i}":{}`).join(",")}}}`),
  fc.integer({ min: 1, max: 100_000 }).map((n) => `["${"\\\\".repeat(n)}"]`),
  fc.integer({ min: 1, max: 20 }).map((d) => {
    // A key whose text doubles at every level if keys are escaped again per level.
    let key = '{"\\\\":0}';
    for (let i = 0; i < d; i++) key = `{${key}:${key}}`;
    return `{${key}:0}`;
  }),
);

export function adversarialJson(): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: fastjsonText }, { weight: 1, arbitrary: hostileText });
}

// ---- loopback peer scripts ----

/** What the peer sends in answer to one request. `{opaque}` in a header is the request's opaque. */
export type Piece =
  | { kind: "reply"; header: string; body: Buffer }
  | { kind: "raw"; bytes: Buffer }
  | { kind: "length"; value: number }
  | { kind: "truncated"; header: string; body: Buffer; keep: number };

export interface PeerScript {
  /** What the call is (an index into the captures). */
  capture: number;
  pieces: Piece[];
  /** Where the bytes are cut into separate writes (fractions of the total). */
  splits: number[];
  /** Close the connection after writing. */
  hangUp: boolean;
}

const goodHeader = '{"code":0,"flag":1,"opaque":{opaque},"language":"JAVA","version":477}';
const headerText = fc.oneof(
  { weight: 6, arbitrary: fc.constant(goodHeader) },
  fc.constantFrom(
    '{"code":17,"flag":1,"opaque":{opaque},"remark":"No topic route info"}',
    '{"code":0,"flag":1,"opaque":{opaque},"extFields":{"value":{"toString":0}}}',
    '{"code":0,"flag":1,"opaque":{opaque},"extFields":{"__proto__":"x","wipeTopicCount":"1e999"}}',
    '{"code":0,"flag":0,"opaque":{opaque}}',
    '{"code":"0","flag":1,"opaque":{opaque}}',
    '{"code":0,"flag":1,"opaque":-1}',
    '{"code":0,"flag":1,"opaque":{opaque}',
    "[]",
    "",
  ),
  fc.tuple(fc.constant(goodHeader), mutation()).map(([h, m]) => m(h)),
);

export function peerScript(captures: Capture[]): fc.Arbitrary<PeerScript> {
  const body = fc.oneof(
    fc.constantFrom(...captures.map((c) => c.body)),
    mutatedCapture(captures).map((m) => m.body),
    adversarialJson()
      .filter((t) => t.length < 300_000)
      .map((t) => Buffer.from(t)),
  );
  const piece: fc.Arbitrary<Piece> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant("reply" as const), header: headerText, body }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("raw" as const), bytes: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("length" as const),
        value: fc.oneof(fc.constantFrom(-1, 0, 3, 4, 0x7fffffff, 1024 * 1024, 16 * 1024 * 1024 + 1), fc.integer()),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncated" as const), header: headerText, body, keep: fc.nat() }) },
  );
  return fc.record({
    capture: fc.nat({ max: captures.length - 1 }),
    pieces: fc.array(piece, { minLength: 1, maxLength: 4 }),
    splits: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
    hangUp: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  });
}

/** The bytes of a script, for a request with this opaque. */
export function scriptBytes(script: PeerScript, opaque: number): Buffer {
  const frame = (header: string, body: Buffer) => {
    const h = Buffer.from(header.replace("{opaque}", String(opaque)));
    const prefix = Buffer.alloc(8);
    prefix.writeInt32BE(4 + h.length + body.length, 0);
    prefix.writeInt32BE(h.length, 4);
    return Buffer.concat([prefix, h, body]);
  };
  return Buffer.concat(
    script.pieces.map((p) => {
      switch (p.kind) {
        case "reply":
          return frame(p.header, p.body);
        case "raw":
          return p.bytes;
        case "length": {
          const b = Buffer.alloc(4);
          b.writeInt32BE(p.value | 0, 0);
          return b;
        }
        case "truncated": {
          const whole = frame(p.header, p.body);
          return whole.subarray(0, p.keep % whole.length);
        }
      }
    }),
  );
}
