import { strict as assert } from "node:assert";
import { canonicalJson, FastjsonSyntaxError, objectKey, parseFastjson } from "../../src/admin/fastjson";
import { parsedJson } from "./nameMaps";

describe("admin fastjson parser", () => {
  it("parses standard JSON like JSON.parse", () => {
    const text = '{"a":[1,-2.5,3e2,true,false,null],"b":{"c":"d\\"e\\\\f\\n\\u00e9"},"e":[]}';
    assert.deepEqual(parseFastjson(text), parsedJson(JSON.parse(text)));
    assert.deepEqual(parseFastjson("  [ ]  "), []);
  });

  it("accepts unquoted numeric keys (fastjson Map<Long, String>)", () => {
    assert.deepEqual(
      parseFastjson('{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"}}'),
      parsedJson({ brokerAddrs: { "0": "10.0.0.1:10911", "1": "10.0.0.2:10911" } }),
    );
  });

  it("accepts object keys and keeps them recoverable", () => {
    const parsed = parseFastjson('{"offsetTable":{{"topic":"t","brokerName":"b","queueId":3}:{"brokerOffset":9}}}') as {
      offsetTable: Record<string, unknown>;
    };
    const [key] = Object.keys(parsed.offsetTable);
    assert.equal(key, canonicalJson({ brokerName: "b", queueId: 3, topic: "t" }));
    assert.deepEqual(objectKey(key), parsedJson({ brokerName: "b", queueId: 3, topic: "t" }));
    assert.deepEqual(parsed.offsetTable[key], parsedJson({ brokerOffset: 9 }));
  });

  it("gives equal object keys written in different field orders the same key", () => {
    const parsed = parseFastjson('{{"b":1,"a":2}:"x",{"a":2,"b":1}:"y"}') as Record<string, string>;
    assert.deepEqual(Object.values(parsed), ["y"]);
  });

  it("never lets a __proto__ key reach the prototype", () => {
    const parsed = parseFastjson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(parsed["__proto__"], parsedJson({ polluted: true }));
    // An own property, not the parsed object's prototype.
    assert.ok(Object.prototype.hasOwnProperty.call(parsed, "__proto__"));
    assert.equal(parsed.polluted, undefined);
  });

  it("refuses keys longer than 4096 characters and nesting deeper than 64, strict JSON or not", () => {
    const long = "k".repeat(4097);
    assert.throws(() => parseFastjson(`{${JSON.stringify(long)}:1}`), /object key longer than 4096 characters/);
    assert.throws(() => parseFastjson(`{0:1,${JSON.stringify(long)}:1}`), /object key longer than 4096 characters at position/);
    assert.throws(() => parseFastjson(`{{${JSON.stringify(long)}:1}:1}`), /object key longer than 4096 characters/);
    assert.equal(Object.keys(parseFastjson(`{${JSON.stringify("k".repeat(4096))}:1}`) as object)[0].length, 4096);
    const nested = (n: number) => "[".repeat(n) + "]".repeat(n);
    assert.doesNotThrow(() => parseFastjson(nested(64)));
    assert.throws(() => parseFastjson(nested(65)), /nesting deeper than 64 at position 64/);
    assert.throws(() => parseFastjson(`{0:${nested(65)}}`), /nesting deeper than 64/);
    // Brackets inside strings are not nesting.
    assert.deepEqual(parseFastjson(JSON.stringify(["[".repeat(100), '\\"{'])), ["[".repeat(100), '\\"{']);
  });

  it("gives a structured key's repeated field the last value, as a parsed object does", () => {
    const parsed = parseFastjson('{{"a":1,"b":2,"a":3}:0}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ['{"a":3,"b":2}']);
  });

  it("reports where malformed text goes wrong", () => {
    for (const bad of ['{"a":}', '{"a" 1}', "[1,2", '"open', "{a:1}", '{"a":1} x', "", '"\\q"', "tru"]) {
      assert.throws(() => parseFastjson(bad), FastjsonSyntaxError, bad);
    }
    assert.throws(() => parseFastjson('{"a":}'), /position 5/);
  });

  it("parses large non-strict replies in linear time", () => {
    // ~2 MB of consume-stats-like text: object keys defeat the native parser, ours must keep up.
    const entries = Array.from(
      { length: 20000 },
      (_, i) => `{"brokerName":"broker-a","queueId":${i % 16},"topic":"topic-${i}"}:{"brokerOffset":${i},"consumerOffset":${i},"lastTimestamp":1700000000000}`,
    );
    const text = `{"offsetTable":{${entries.join(",")}},"consumeTps":0.0}`;
    const started = Date.now();
    const parsed = parseFastjson(text) as { offsetTable: Record<string, unknown> };
    const elapsed = Date.now() - started;
    assert.equal(Object.keys(parsed.offsetTable).length, 20000);
    assert.ok(elapsed < 3000, `took ${elapsed} ms`);
  });
});
