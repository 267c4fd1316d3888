// A loopback TCP proxy that stands between the admin client and real RocketMQ processes and
// injects the faults a network or a port-forward stream produces: connections reset (at once, or
// after a request reached the peer but before its reply came back), replies held back, replies
// that never come (a stuck stream), and a cut during which nothing gets through.
// It is a Connector: every address the client asks for is routed through a listener of its own.
import * as net from "node:net";
import type { Duplex } from "node:stream";
import type { Connector } from "../../provider/src/connect/connector";
import { parseAddress } from "../../provider/src/connect/connector";
import { DirectTcpConnector } from "../../provider/src/connect/tcp";

export interface FaultPlan {
    /** Every Nth connection (counted over all addresses) is reset; 0 resets none. */
    resetEvery: number;
    /** Each reply on the other connections is held back by a time drawn from this range, in ms. */
    delayMs: [number, number];
}

export interface FaultCounts {
    connections: number;
    /** Reset as soon as they were accepted. */
    resetAtOnce: number;
    /** Reset after the first request reached the peer, its reply dropped: the peer acted, the client never heard. */
    resetAfterRequest: number;
    /** Connections whose replies were swallowed, so the client's calls time out. */
    stalled: number;
    /** Connections refused or reset while the proxy was cut. */
    cutOff: number;
    delayedReplies: number;
}

interface Pair {
    client: net.Socket;
    upstream?: net.Socket;
}

export class FaultProxy implements Connector {
    readonly counts: FaultCounts = { connections: 0, resetAtOnce: 0, resetAfterRequest: 0, stalled: 0, cutOff: 0, delayedReplies: 0 };
    private readonly listeners = new Map<string, Promise<{ server: net.Server; port: number }>>();
    private readonly live = new Set<Pair>();
    private readonly direct = new DirectTcpConnector();
    private isCut = false;
    private stallsLeft = 0;
    private readonly replyDropsLeft = new Map<string, number>();
    private resetKind = 0;

    constructor(private plan: FaultPlan) {}

    setPlan(plan: FaultPlan): void {
        this.plan = plan;
    }

    async connect(address: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<Duplex> {
        const { port } = await this.listenerFor(address);
        return this.direct.connect(`127.0.0.1:${port}`, options);
    }

    /** Resets every open connection and every new one until restore(). */
    cut(): void {
        this.isCut = true;
        for (const pair of this.live) this.reset(pair);
    }

    restore(): void {
        this.isCut = false;
    }

    /** Resets every open connection once (the client must reconnect). */
    resetAll(): void {
        for (const pair of this.live) this.reset(pair);
    }

    /**
     * The next `count` connections to `address` are reset after their first request reached the
     * peer, its reply dropped: the peer acted, the client never heard.
     */
    dropReplyNext(address: string, count: number): void {
        this.replyDropsLeft.set(address, (this.replyDropsLeft.get(address) ?? 0) + count);
    }

    /** The next `count` connections forward requests but never return a reply. */
    stallNext(count: number): void {
        this.stallsLeft += count;
    }

    async close(): Promise<void> {
        for (const pair of this.live) this.reset(pair);
        const servers = await Promise.all(this.listeners.values());
        await Promise.all(servers.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))));
    }

    private listenerFor(address: string): Promise<{ server: net.Server; port: number }> {
        let listener = this.listeners.get(address);
        if (!listener) {
            const upstream = parseAddress(address);
            const server = net.createServer((socket) => this.accept(socket, address, upstream));
            listener = new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as net.AddressInfo).port })));
            this.listeners.set(address, listener);
        }
        return listener;
    }

    private accept(client: net.Socket, address: string, upstreamAddress: { host: string; port: number }): void {
        const n = ++this.counts.connections;
        client.on("error", () => undefined);
        const pair: Pair = { client };
        if (this.isCut) {
            this.counts.cutOff++;
            client.resetAndDestroy();
            return;
        }
        const dropsLeft = this.replyDropsLeft.get(address) ?? 0;
        if (dropsLeft > 0) this.replyDropsLeft.set(address, dropsLeft - 1);
        const resetting = dropsLeft > 0 || (this.plan.resetEvery > 0 && n % this.plan.resetEvery === 0);
        // Alternate the two kinds of reset, so both happen in any run long enough to have two.
        const afterRequest = dropsLeft > 0 || (resetting && this.resetKind++ % 2 === 1);
        if (resetting && !afterRequest) {
            this.counts.resetAtOnce++;
            client.resetAndDestroy();
            return;
        }
        const stalled = !resetting && this.stallsLeft > 0 && (this.stallsLeft--, true);
        if (stalled) this.counts.stalled++;
        const upstream = net.connect(upstreamAddress);
        pair.upstream = upstream;
        this.live.add(pair);
        const forget = () => {
            this.live.delete(pair);
            client.destroy();
            upstream.destroy();
        };
        upstream.on("error", forget);
        upstream.on("close", forget);
        client.on("close", forget);
        client.on("data", (chunk) => upstream.write(chunk));
        let releaseAt = 0;
        upstream.on("data", (chunk) => {
            if (stalled) return;
            if (afterRequest) {
                this.counts.resetAfterRequest++;
                this.reset(pair);
                return;
            }
            const [min, max] = this.plan.delayMs;
            const delay = min + Math.random() * (max - min);
            if (delay > 0) this.counts.delayedReplies++;
            // Held back, but in order: a later chunk never overtakes an earlier one.
            releaseAt = Math.max(releaseAt, Date.now() + delay);
            setTimeout(() => {
                if (!client.destroyed) client.write(chunk);
            }, releaseAt - Date.now());
        });
    }

    private reset(pair: Pair): void {
        this.live.delete(pair);
        if (!pair.client.destroyed) pair.client.resetAndDestroy();
        pair.upstream?.destroy();
    }
}
