import { strict as assert } from "node:assert";
import * as net from "node:net";
import type { Duplex } from "node:stream";
import { RocketMQAdminClient, RocketMQAdminError } from "../../src/admin";
import { ClientFailureCode, ResponseCode } from "../../src/admin/codes";
import { FrameError } from "../../src/admin/codec";
import { ConnectionPool } from "../../src/admin/pool";
import { backoffDelay, DEFAULT_RETRY_POLICY, RetryEvent, withRetry } from "../../src/admin/retry";
import type { Connector } from "../../src/connect/connector";
import { FakePeer, reply } from "./fakePeer";
import { nameMap } from "./nameMaps";

const transient = () => new RocketMQAdminError("connection reset", { code: ClientFailureCode.CONNECTION });
const fast = { initialDelayMs: 10, maxDelayMs: 40, deadlineMs: 2_000 };

describe("retry helper", () => {
  it("retries transient failures until the operation succeeds, reporting each retry", async () => {
    let calls = 0;
    const events: RetryEvent[] = [];
    const value = await withRetry(
      async () => {
        if (++calls < 3) throw transient();
        return "done";
      },
      { ...fast, isRetriable: () => true, onRetry: (e) => events.push(e) },
    );
    assert.equal(value, "done");
    assert.equal(calls, 3);
    assert.deepEqual(events.map((e) => e.attempt), [1, 2]);
  });

  it("passes a failure that is not retriable through at once, unchanged", async () => {
    let calls = 0;
    const notFound = new RocketMQAdminError("no topic", { code: ResponseCode.TOPIC_NOT_EXIST });
    const started = Date.now();
    const err = await withRetry(
      async () => {
        calls++;
        throw notFound;
      },
      { ...fast, isRetriable: (e) => e instanceof RocketMQAdminError && e.isRetriable(), giveUp: () => new Error("must not be called") },
    ).catch((e: unknown) => e);
    assert.equal(err, notFound);
    assert.equal(calls, 1);
    assert.ok(Date.now() - started < 50);
  });

  it("gives up at the total deadline, with the last failure", async () => {
    let calls = 0;
    const started = Date.now();
    const err = await withRetry(
      async () => {
        calls++;
        throw transient();
      },
      { initialDelayMs: 20, maxDelayMs: 50, deadlineMs: 300, maxAttempts: 1000, isRetriable: () => true, giveUp: (last, outcome) => ({ last, outcome }) },
    ).then(
      () => assert.fail("expected to give up"),
      (e: unknown) => e as { last: Error; outcome: { attempts: number; deadlinePassed: boolean } },
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed <= 300 + 200, `gave up after ${elapsed} ms, deadline 300 ms`);
    assert.ok(elapsed >= 200, `gave up early, after ${elapsed} ms`);
    assert.equal(err.outcome.deadlinePassed, true);
    assert.equal(err.outcome.attempts, calls);
    assert.match(err.last.message, /connection reset/);
  });

  it("aborts an attempt still running at the deadline, reporting the failure before it", async () => {
    let calls = 0;
    const started = Date.now();
    const err = await withRetry(
      (signal) => {
        if (++calls === 1) return Promise.reject(transient());
        return new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted by signal"))));
      },
      { initialDelayMs: 10, deadlineMs: 200, isRetriable: () => true },
    ).then(
      () => assert.fail("expected to give up"),
      (e: unknown) => e as Error,
    );
    assert.ok(Date.now() - started < 300);
    assert.equal(calls, 2);
    assert.match(err.message, /connection reset/, "the cause, not the abort");
  });

  it("stops after maxAttempts", async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw transient();
        },
        { ...fast, maxAttempts: 3, isRetriable: () => true },
      ),
      /connection reset/,
    );
    assert.equal(calls, 3);
  });

  it("honours the caller's AbortSignal during a backoff wait, without another try", async () => {
    const controller = new AbortController();
    let calls = 0;
    const started = Date.now();
    const call = withRetry(
      async (signal) => {
        calls++;
        if (signal.aborted) throw new Error("caller aborted");
        throw transient();
      },
      { initialDelayMs: 5_000, deadlineMs: 60_000, isRetriable: () => true, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(call, /caller aborted/);
    assert.ok(Date.now() - started < 1000, "did not wait out the 5 s backoff");
    assert.equal(calls, 2, "the operation saw the abort and reported it");
  });

  it("jitter keeps each wait within [base * (1 - jitter), base], doubling up to the cap", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 };
    assert.equal(backoffDelay(policy, 1, 0), 100);
    assert.equal(backoffDelay(policy, 1, 0.999999), 50);
    assert.equal(backoffDelay(policy, 3, 0), 400);
    assert.equal(backoffDelay(policy, 10, 0), 1000, "capped");
    const seen = new Set<number>();
    for (let attempt = 1; attempt <= 6; attempt++) {
      const base = Math.min(1000, 100 * 2 ** (attempt - 1));
      for (let i = 0; i < 200; i++) {
        const delay = backoffDelay(policy, attempt, Math.random());
        assert.ok(delay >= base / 2 && delay <= base, `attempt ${attempt}: ${delay} outside [${base / 2}, ${base}]`);
        seen.add(delay);
      }
    }
    assert.ok(seen.size > 50, "waits differ from one draw to the next");
  });

  it("the waits it reports are the waits it makes", async () => {
    const events: RetryEvent[] = [];
    let last = Date.now();
    const gaps: number[] = [];
    let calls = 0;
    await withRetry(
      async () => {
        const now = Date.now();
        if (calls++ > 0) gaps.push(now - last);
        last = now;
        if (calls < 4) throw transient();
      },
      { initialDelayMs: 40, maxDelayMs: 200, deadlineMs: 5_000, isRetriable: () => true, onRetry: (e) => events.push(e) },
    );
    events.forEach((e, i) => assert.ok(gaps[i] >= e.delayMs - 2 && gaps[i] < e.delayMs + 1000, `waited ${gaps[i]} ms for ${e.delayMs} ms`));
  });
});

describe("which admin failures are retriable", () => {
  const cases: Array<[string, RocketMQAdminError, boolean]> = [
    ["timeout", new RocketMQAdminError("t", { code: ClientFailureCode.TIMEOUT }), true],
    ["connection refused or reset", new RocketMQAdminError("c", { code: ClientFailureCode.CONNECTION }), true],
    ["SYSTEM_BUSY", new RocketMQAdminError("b", { code: ResponseCode.SYSTEM_BUSY }), true],
    ["SERVICE_NOT_AVAILABLE", new RocketMQAdminError("s", { code: ResponseCode.SERVICE_NOT_AVAILABLE }), true],
    ["an unreadable frame", new RocketMQAdminError("f", { code: ClientFailureCode.BAD_REPLY, cause: new FrameError("bad") }), false],
    ["aborted", new RocketMQAdminError("a", { code: ClientFailureCode.ABORTED }), false],
    ["TOPIC_NOT_EXIST", new RocketMQAdminError("n", { code: ResponseCode.TOPIC_NOT_EXIST }), false],
    ["NO_PERMISSION", new RocketMQAdminError("p", { code: ResponseCode.NO_PERMISSION }), false],
    ["SYSTEM_ERROR (bad request)", new RocketMQAdminError("e", { code: ResponseCode.SYSTEM_ERROR }), false],
    ["INVALID_PARAMETER", new RocketMQAdminError("i", { code: ResponseCode.INVALID_PARAMETER }), false],
    ["a bad reply body", new RocketMQAdminError("r", { code: ClientFailureCode.BAD_REPLY }), false],
    ["an invalid argument", new RocketMQAdminError("v", { code: ClientFailureCode.INVALID_ARGUMENT }), false],
  ];
  for (const [name, err, retriable] of cases) {
    it(`${name}: ${retriable ? "retriable" : "not retriable"}`, () => assert.equal(err.isRetriable(), retriable));
  }
});

describe("admin client retries", () => {
  let peer: FakePeer | undefined;
  let client: RocketMQAdminClient | undefined;
  afterEach(async () => {
    client?.close();
    await peer?.stop();
    peer = undefined;
    client = undefined;
  });

  it("a reset connection is retried on a fresh one, and the retry is reported", async () => {
    let requests = 0;
    peer = await FakePeer.start((request, socket) => {
      if (++requests === 1) socket.resetAndDestroy();
      else socket.write(reply(request, "k=v\n"));
    });
    const lines: string[] = [];
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", retry: fast, onRetry: (e) => lines.push(`${e.request} ${e.attempt}`) });
    assert.deepEqual(await client.getBrokerConfig(peer.address), nameMap({ k: "v" }));
    assert.equal(requests, 2);
    assert.deepEqual(lines, ["GET_BROKER_CONFIG 1"]);
  });

  it("SYSTEM_BUSY is retried; TOPIC_NOT_EXIST is not", async () => {
    const seen: number[] = [];
    peer = await FakePeer.start((request, socket) => {
      seen.push(request.code);
      if (request.code === 202) socket.write(reply(request, undefined, ResponseCode.TOPIC_NOT_EXIST, "no topic"));
      else if (seen.filter((c) => c === 26).length === 1) socket.write(reply(request, undefined, ResponseCode.SYSTEM_BUSY, "[OVERLOAD]system busy"));
      else socket.write(reply(request, "a=b\n"));
    });
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", retry: fast });
    assert.deepEqual(await client.getBrokerConfig(peer.address), nameMap({ a: "b" }));
    await assert.rejects(client.getTopicStats(peer.address, "t"), (e: RocketMQAdminError) => e.isNotFound());
    assert.deepEqual(seen, [26, 26, 202]);
  });

  it("a peer that does not speak the protocol is not retried", async () => {
    let requests = 0;
    peer = await FakePeer.start((_request, socket) => {
      requests++;
      socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    });
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", retry: fast });
    await assert.rejects(client.getBrokerConfig(peer.address), /invalid frame length -1/);
    assert.equal(requests, 1);
  });

  it("a batch of topics is sent once: a replay could stop at a topic its first try applied", async () => {
    let requests = 0;
    peer = await FakePeer.start((_request, socket) => {
      requests++;
      socket.resetAndDestroy();
    });
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", retry: fast });
    await assert.rejects(client.createOrUpdateTopics(peer.address, [{ topicName: "t", readQueueNums: 1, writeQueueNums: 1, perm: 6 }]), (e: RocketMQAdminError) =>
      e.isConnectionFailure(),
    );
    assert.equal(requests, 1);
  });

  it("when retries run out the error keeps its code and says how long it tried", async () => {
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", connectTimeoutMs: 200, retry: { initialDelayMs: 20, maxDelayMs: 50, deadlineMs: 400, maxAttempts: 100 } });
    const err = await client.getClusterInfo().then(
      () => assert.fail("expected to give up"),
      (e: unknown) => e as RocketMQAdminError,
    );
    assert.ok(err instanceof RocketMQAdminError);
    assert.ok(err.isConnectionFailure());
    assert.match(err.message, /^GET_BROKER_CLUSTER_INFO: cannot connect to 127\.0\.0\.1:1: .* \(tried \d+ times over 0\.\d s; the retry deadline passed\)/);
  });

  it("caps the requests in flight on one connection", async () => {
    let inFlight = 0;
    let most = 0;
    peer = await FakePeer.start((request, socket) => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight--;
        socket.write(reply(request, "a=b\n"));
      }, 20);
    });
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", maxInFlightPerConnection: 3 });
    await Promise.all(Array.from({ length: 12 }, () => client!.getBrokerConfig(peer!.address)));
    assert.equal(most, 3);
  });

  it("a call aborted while it waits for its turn leaves the queue", async () => {
    const held: Array<() => void> = [];
    peer = await FakePeer.start((request, socket) => held.push(() => socket.write(reply(request, "a=b\n"))));
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", maxInFlightPerConnection: 1 });
    const first = client.getBrokerConfig(peer.address);
    const controller = new AbortController();
    const second = client.getBrokerConfig(peer.address, { signal: controller.signal });
    controller.abort();
    await assert.rejects(second, (e: RocketMQAdminError) => e.code === ClientFailureCode.ABORTED);
    await waitFor(() => held.length === 1);
    held.shift()!();
    assert.deepEqual(await first, nameMap({ a: "b" }));
    const third = client.getBrokerConfig(peer.address);
    await waitFor(() => held.length === 1);
    held.shift()!();
    assert.deepEqual(await third, nameMap({ a: "b" }), "the aborted call did not keep the turn");
  });
});

describe("connection pool: a shared connect", () => {
  /** A connector whose connects finish only when the test says so. */
  class GatedConnector implements Connector {
    connects = 0;
    private readonly gates: Array<() => void> = [];
    constructor(private readonly target: string) {}
    connect(_address: string, options: { signal?: AbortSignal } = {}): Promise<Duplex> {
      this.connects++;
      return new Promise((resolve, reject) => {
        options.signal?.addEventListener("abort", () => reject(new Error("connect aborted")), { once: true });
        this.gates.push(() => {
          const [host, port] = this.target.split(":");
          const socket = net.connect({ host, port: Number(port) }, () => resolve(socket));
        });
      });
    }
    open(): void {
      this.gates.splice(0).forEach((g) => g());
    }
  }

  it("the first caller's abort ends only its own wait; the others get the connection", async () => {
    const peer = await FakePeer.start((request, socket) => socket.write(reply(request, "k=v\n")));
    const connector = new GatedConnector(peer.address);
    const pool = new ConnectionPool(connector, { connectTimeoutMs: 5000, callTimeoutMs: 5000, maxInFlightPerConnection: 16 });
    try {
      const first = new AbortController();
      const a = pool.get("broker:10911", first.signal);
      const b = pool.get("broker:10911");
      const c = pool.get("broker:10911", new AbortController().signal);
      first.abort(new Error("first caller gave up"));
      await assert.rejects(a, (e: RocketMQAdminError) => e.code === ClientFailureCode.ABORTED && /connecting to broker:10911 aborted/.test(e.message));
      connector.open();
      const [connB, connC] = await Promise.all([b, c]);
      assert.equal(connB, connC);
      assert.ok(connB.isOpen);
      assert.equal(connector.connects, 1, "one connect shared by all three");
      const replyFrame = await connB.invoke({ code: 26 });
      assert.equal(replyFrame.body?.toString(), "k=v\n");
    } finally {
      pool.close();
      await peer.stop();
    }
  });

  it("closing the pool aborts a connect under way", async () => {
    const connector = new GatedConnector("127.0.0.1:1");
    const pool = new ConnectionPool(connector, { connectTimeoutMs: 5000, callTimeoutMs: 5000, maxInFlightPerConnection: 16 });
    const pending = pool.get("broker:10911");
    pool.close();
    await assert.rejects(pending, (e: RocketMQAdminError) => e.code === ClientFailureCode.ABORTED && /closed/.test(e.message));
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), "condition not met");
}

