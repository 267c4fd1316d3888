// RocketMQ remoting frames.
//
// A frame on the wire is:
//   int32 totalLength            length of everything after this field
//   int32 serializeTypeAndLength high byte: header serialization (0 = JSON, 1 = ROCKETMQ binary),
//                                low 24 bits: header length
//   header bytes
//   body bytes (totalLength - 4 - headerLength)
// All integers are big-endian. Requests carry a `code` naming the operation and an `opaque` id that
// the peer echoes back in its response; bit 0 of `flag` marks a response, bit 1 a oneway request.

import { emptyObject } from "./nameMaps";
import { JsonValue, parseFastjson } from "./fastjson";

export const FLAG_RESPONSE = 1 << 0;
export const FLAG_ONEWAY = 1 << 1;

export const SERIALIZE_JSON = 0;
export const SERIALIZE_ROCKETMQ = 1;

/** The Java broker refuses frames larger than this by default (com.rocketmq.remoting.frameMaxLength). */
export const DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024;

/** Protocol version we announce: the ordinal of V5_3_2 in RocketMQ's MQVersion enum. */
export const PROTOCOL_VERSION = 477;

export interface RemotingCommand {
  code: number;
  opaque: number;
  flag: number;
  language?: string;
  version?: number;
  remark?: string;
  /** Request and response headers: RocketMQ sends every value as a string. */
  extFields?: Record<string, string>;
  body?: Buffer;
}

export class FrameError extends Error {
  /** Whole frames that came before the bad one in the same push; they are still good. */
  decoded: RemotingCommand[] = [];

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FrameError";
  }
}

export function isResponse(command: RemotingCommand): boolean {
  return (command.flag & FLAG_RESPONSE) !== 0;
}

export function isOneway(command: RemotingCommand): boolean {
  return (command.flag & FLAG_ONEWAY) !== 0;
}

/** Encodes a command as one frame with a JSON header, the form every RocketMQ peer accepts. */
export function encodeFrame(command: RemotingCommand): Buffer {
  const header: Record<string, unknown> = {
    code: command.code,
    language: command.language ?? "NODE_JS",
    version: command.version ?? PROTOCOL_VERSION,
    opaque: command.opaque,
    flag: command.flag,
    serializeTypeCurrentRPC: "JSON",
  };
  if (command.remark !== undefined) header.remark = command.remark;
  if (command.extFields && Object.keys(command.extFields).length > 0) header.extFields = command.extFields;
  const headerBytes = Buffer.from(JSON.stringify(header), "utf8");
  const body = command.body ?? Buffer.alloc(0);
  const prefix = Buffer.allocUnsafe(8);
  prefix.writeInt32BE(4 + headerBytes.length + body.length, 0);
  prefix.writeUInt32BE(((SERIALIZE_JSON << 24) | (headerBytes.length & 0xffffff)) >>> 0, 4);
  return Buffer.concat([prefix, headerBytes, body]);
}

/** Decodes the content of one frame (everything after the total-length field). */
export function decodeFrameContent(content: Buffer): RemotingCommand {
  if (content.length < 4) throw new FrameError(`frame of ${content.length} bytes has no header length`);
  const marker = content.readUInt32BE(0);
  const serializeType = marker >>> 24;
  const headerLength = marker & 0xffffff;
  if (headerLength > content.length - 4) {
    throw new FrameError(`header length ${headerLength} exceeds frame of ${content.length} bytes`);
  }
  const headerBytes = content.subarray(4, 4 + headerLength);
  const command =
    serializeType === SERIALIZE_JSON
      ? decodeJsonHeader(headerBytes)
      : serializeType === SERIALIZE_ROCKETMQ
        ? decodeBinaryHeader(headerBytes)
        : (() => {
            throw new FrameError(`unknown header serialization type ${serializeType}`);
          })();
  const bodyLength = content.length - 4 - headerLength;
  if (bodyLength > 0) command.body = Buffer.from(content.subarray(4 + headerLength));
  return command;
}

function decodeJsonHeader(bytes: Buffer): RemotingCommand {
  let parsed: JsonValue;
  try {
    parsed = parseFastjson(bytes.toString("utf8"), HEADER_LIMITS);
  } catch (e) {
    throw new FrameError(`header is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new FrameError("header is not a JSON object");
  }
  const h = parsed;
  if (typeof h.code !== "number" || !Number.isInteger(h.code)) throw new FrameError("header has no integer code");
  const command: RemotingCommand = {
    code: h.code,
    opaque: Number.isInteger(h.opaque) ? (h.opaque as number) : 0,
    flag: Number.isInteger(h.flag) ? (h.flag as number) : 0,
  };
  if (typeof h.language === "string") command.language = h.language;
  if (typeof h.version === "number") command.version = h.version;
  if (typeof h.remark === "string") command.remark = h.remark;
  if (h.extFields !== undefined && h.extFields !== null) {
    if (typeof h.extFields !== "object" || Array.isArray(h.extFields)) throw new FrameError("header extFields is not an object");
    const ext = emptyObject<string>();
    for (const [k, v] of Object.entries(h.extFields)) {
      // RocketMQ sends every header value as a string; scalars are tolerated, structures are not.
      if (v === null) continue;
      if (typeof v === "object") throw new FrameError(`header extFields.${k} is not a string`);
      ext[k] = String(v);
    }
    command.extFields = ext;
  }
  return command;
}

/** Headers are small flat objects; RocketMQ nests nothing in them. */
const HEADER_LIMITS = { maxDepth: 4, maxKeyLength: 4096 };

const LANGUAGE_BY_CODE = ["JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY", "OTHER", "HTTP", "GO", "PHP", "OMS", "RUST", "NODE_JS"];

/** RocketMQ's compact binary header (SerializeType.ROCKETMQ). */
function decodeBinaryHeader(bytes: Buffer): RemotingCommand {
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.length) throw new FrameError(`binary header truncated at byte ${at}`);
  };
  need(15);
  const code = bytes.readInt16BE(0);
  const language = LANGUAGE_BY_CODE[bytes.readUInt8(2)] ?? "OTHER";
  const version = bytes.readInt16BE(3);
  const opaque = bytes.readInt32BE(5);
  const flag = bytes.readInt32BE(9);
  at = 13;
  const readString = (lengthBytes: 2 | 4): string => {
    need(lengthBytes);
    const len = lengthBytes === 2 ? bytes.readUInt16BE(at) : bytes.readInt32BE(at);
    at += lengthBytes;
    if (len < 0) throw new FrameError("negative string length in binary header");
    need(len);
    const s = bytes.toString("utf8", at, at + len);
    at += len;
    return s;
  };
  need(4);
  const remarkLength = bytes.readInt32BE(at);
  at += 4;
  let remark: string | undefined;
  if (remarkLength < 0) throw new FrameError("negative remark length in binary header");
  if (remarkLength > 0) {
    need(remarkLength);
    remark = bytes.toString("utf8", at, at + remarkLength);
    at += remarkLength;
  }
  need(4);
  const extLength = bytes.readInt32BE(at);
  at += 4;
  const command: RemotingCommand = { code, language, version, opaque, flag };
  if (remark !== undefined) command.remark = remark;
  if (extLength > 0) {
    need(extLength);
    const end = at + extLength;
    const ext = emptyObject<string>();
    while (at < end) {
      const key = readString(2);
      ext[key] = readString(4);
    }
    command.extFields = ext;
  }
  return command;
}

/**
 * Splits a byte stream into frames. Throws FrameError on a frame that can never be valid
 * (negative or oversized length, undecodable header), carrying the good frames decoded before it;
 * the caller must then drop the connection, since the stream position is lost.
 */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private broken: FrameError | undefined;

  constructor(private readonly maxFrameLength = DEFAULT_MAX_FRAME_LENGTH) {}

  /** Bytes received but not yet forming a whole frame. */
  get bufferedBytes(): number {
    return this.pendingLength;
  }

  push(chunk: Buffer): RemotingCommand[] {
    if (this.broken) throw new FrameError(`stream unreadable since an earlier bad frame: ${this.broken.message}`, { cause: this.broken });
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    const commands: RemotingCommand[] = [];
    try {
      while (this.pendingLength >= 4) {
        const head = this.peek(4);
        const frameLength = head.readInt32BE(0);
        if (frameLength < 4 || frameLength > this.maxFrameLength) {
          throw new FrameError(`invalid frame length ${frameLength} (limit ${this.maxFrameLength})`);
        }
        if (this.pendingLength < 4 + frameLength) break;
        const frame = this.take(4 + frameLength);
        commands.push(decodeFrameContent(frame.subarray(4)));
      }
    } catch (err) {
      const error = err instanceof FrameError ? err : new FrameError(`frame cannot be decoded: ${(err as Error).message}`, { cause: err });
      error.decoded = commands;
      this.broken = error;
      this.pending = [];
      this.pendingLength = 0;
      throw error;
    }
    return commands;
  }

  private peek(n: number): Buffer {
    if (this.pending[0].length >= n) return this.pending[0];
    const joined = Buffer.concat(this.pending);
    this.pending = [joined];
    return joined;
  }

  private take(n: number): Buffer {
    const joined = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    const frame = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingLength = rest.length;
    return frame;
  }
}
