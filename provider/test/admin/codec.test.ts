import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  decodeFrameContent,
  encodeFrame,
  FLAG_ONEWAY,
  FLAG_RESPONSE,
  FrameDecoder,
  FrameError,
  isOneway,
  isResponse,
  PROTOCOL_VERSION,
} from "../../src/admin/codec";
import { framesOf } from "./fakePeer";
import { nameMap } from "./nameMaps";

const FIXTURES = path.join(__dirname, "..", "fixtures", "remoting");

function frame(headerJson: string, body = Buffer.alloc(0), serializeType = 0): Buffer {
  const header = Buffer.from(headerJson);
  const prefix = Buffer.alloc(8);
  prefix.writeInt32BE(4 + header.length + body.length, 0);
  prefix.writeUInt32BE(((serializeType << 24) | header.length) >>> 0, 4);
  return Buffer.concat([prefix, header, body]);
}

describe("admin codec: frames", () => {
  it("lays a request out as length, serialize type + header length, JSON header, body", () => {
    const bytes = encodeFrame({ code: 105, opaque: 7, flag: 0, extFields: { topic: "t1" }, body: Buffer.from("xyz") });
    const headerLength = bytes.readUInt32BE(4) & 0xffffff;
    assert.equal(bytes.readInt32BE(0), bytes.length - 4);
    assert.equal(bytes.readUInt8(4), 0, "JSON serialization");
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString());
    assert.deepEqual(header, {
      code: 105,
      language: "NODE_JS",
      version: PROTOCOL_VERSION,
      opaque: 7,
      flag: 0,
      serializeTypeCurrentRPC: "JSON",
      extFields: { topic: "t1" },
    });
    assert.equal(bytes.subarray(8 + headerLength).toString(), "xyz");
  });

  it("round-trips a command through encode and decode", () => {
    const original = { code: 17, opaque: 42, flag: FLAG_RESPONSE, remark: "topic gone", extFields: { a: "1" }, body: Buffer.from([0, 1, 2]) };
    const decoded = decodeFrameContent(encodeFrame(original).subarray(4));
    assert.equal(decoded.code, 17);
    assert.equal(decoded.opaque, 42);
    assert.equal(decoded.remark, "topic gone");
    assert.deepEqual(decoded.extFields, nameMap({ a: "1" }));
    assert.deepEqual([...(decoded.body ?? [])], [0, 1, 2]);
    assert.ok(isResponse(decoded));
    assert.ok(!isOneway(decoded));
    assert.ok(isOneway({ code: 1, opaque: 1, flag: FLAG_ONEWAY }));
  });

  it("decodes RocketMQ's binary header form", () => {
    const remark = Buffer.from("ok");
    const key = Buffer.from("wipeTopicCount");
    const value = Buffer.from("3");
    const ext = Buffer.alloc(2 + key.length + 4 + value.length);
    ext.writeUInt16BE(key.length, 0);
    key.copy(ext, 2);
    ext.writeInt32BE(value.length, 2 + key.length);
    value.copy(ext, 6 + key.length);
    const fixed = Buffer.alloc(13);
    fixed.writeInt16BE(0, 0); // code
    fixed.writeUInt8(0, 2); // JAVA
    fixed.writeInt16BE(477, 3);
    fixed.writeInt32BE(99, 5);
    fixed.writeInt32BE(FLAG_RESPONSE, 9);
    const lengths = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(n);
      return b;
    };
    const header = Buffer.concat([fixed, lengths(remark.length), remark, lengths(ext.length), ext]);
    const content = Buffer.concat([Buffer.alloc(4), header, Buffer.from("body")]);
    content.writeUInt32BE(((1 << 24) | header.length) >>> 0, 0);
    const decoded = decodeFrameContent(content);
    assert.equal(decoded.language, "JAVA");
    assert.equal(decoded.version, 477);
    assert.equal(decoded.opaque, 99);
    assert.equal(decoded.remark, "ok");
    assert.deepEqual(decoded.extFields, nameMap({ wipeTopicCount: "3" }));
    assert.equal(decoded.body?.toString(), "body");
  });

  it("reassembles frames split at every byte and several frames in one chunk", () => {
    const a = encodeFrame({ code: 1, opaque: 1, flag: FLAG_RESPONSE, body: Buffer.from("first") });
    const b = encodeFrame({ code: 2, opaque: 2, flag: FLAG_RESPONSE });
    const decoder = new FrameDecoder();
    const seen: number[] = [];
    for (const byte of Buffer.concat([a, b])) seen.push(...decoder.push(Buffer.from([byte])).map((c) => c.opaque));
    assert.deepEqual(seen, [1, 2]);
    assert.deepEqual(new FrameDecoder().push(Buffer.concat([a, b, a])).map((c) => c.opaque), [1, 2, 1]);
  });

  it("hands over the good frames before a bad one in the same chunk, then stays broken", () => {
    const a = encodeFrame({ code: 1, opaque: 1, flag: FLAG_RESPONSE });
    const b = encodeFrame({ code: 2, opaque: 2, flag: FLAG_RESPONSE });
    const decoder = new FrameDecoder();
    const err = (() => {
      try {
        decoder.push(Buffer.concat([a, b, Buffer.from([0xff, 0xff, 0xff, 0xff])]));
      } catch (e) {
        return e;
      }
      return assert.fail("the bad length should throw");
    })();
    assert.ok(err instanceof FrameError);
    assert.deepEqual(err.decoded.map((c) => c.opaque), [1, 2]);
    assert.throws(() => decoder.push(a), /stream unreadable since an earlier bad frame: invalid frame length -1/);
  });

  it("keeps a truncated frame buffered until the rest arrives", () => {
    const whole = encodeFrame({ code: 1, opaque: 5, flag: FLAG_RESPONSE, body: Buffer.alloc(1000, 1) });
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(whole.subarray(0, 500)), []);
    assert.equal(decoder.bufferedBytes, 500);
    assert.equal(decoder.push(whole.subarray(500))[0].body?.length, 1000);
  });

  it("refuses oversized, negative and too-short lengths", () => {
    const oversized = Buffer.alloc(8);
    oversized.writeInt32BE(64 * 1024 * 1024, 0);
    assert.throws(() => new FrameDecoder().push(oversized), FrameError);
    assert.throws(() => new FrameDecoder(1024).push(encodeFrame({ code: 1, opaque: 1, flag: 1, body: Buffer.alloc(2000) })), /limit 1024/);
    const negative = Buffer.alloc(4);
    negative.writeInt32BE(-5, 0);
    assert.throws(() => new FrameDecoder().push(negative), /invalid frame length -5/);
    const tiny = Buffer.alloc(6);
    tiny.writeInt32BE(2, 0);
    assert.throws(() => new FrameDecoder().push(tiny), /invalid frame length 2/);
  });

  it("refuses invalid headers", () => {
    assert.throws(() => new FrameDecoder().push(frame("{not json")), /not valid JSON/);
    assert.throws(() => new FrameDecoder().push(frame("[1,2]")), /not a JSON object/);
    assert.throws(() => new FrameDecoder().push(frame('{"opaque":1}')), /no integer code/);
    assert.throws(() => new FrameDecoder().push(frame('{"code":0}', Buffer.alloc(0), 7)), /serialization type 7/);
    const lying = frame('{"code":0}');
    lying.writeUInt32BE(500, 4); // header longer than the frame
    assert.throws(() => new FrameDecoder().push(lying), /header length 500 exceeds/);
  });

  it("decodes every captured broker and name server reply as one response frame", () => {
    // One set per captured release (fixtures/remoting/<release>/).
    const files = fs.readdirSync(FIXTURES).flatMap((release) => fs.readdirSync(path.join(FIXTURES, release)).map((f) => path.join(release, f)));
    assert.ok(files.length >= 27, `fixtures of three releases present (${files.length})`);
    for (const file of files) {
      const bytes = fs.readFileSync(path.join(FIXTURES, file));
      const frames = framesOf(bytes);
      assert.equal(frames.length, 1, file);
      assert.ok(isResponse(frames[0]), `${file} is a response`);
      assert.equal(frames[0].language, "JAVA", file);
      assert.equal(frames[0].code, path.basename(file).startsWith("error-") ? 17 : 0, file);
      // The streaming decoder agrees with the one-shot split.
      assert.deepEqual(new FrameDecoder().push(bytes).map((f) => f.code), [frames[0].code]);
    }
  });
});
