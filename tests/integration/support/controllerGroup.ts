// One broker group in controller mode (RIP-44) on loopback: a name server (RocketMQTestBed), one
// standalone controller, and a master and a replica whose broker.conf is the provider's own
// (renderBrokerConfig with controllerAddr: brokerId -1, brokerRole SLAVE, enableControllerMode,
// allAckInSyncStateSet, the identity and epoch files) plus what loopback needs instead of a pod
// (ports, brokerIP1/brokerIP2, store paths, small store files).
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { RocketMQAdminClient } from "../../../provider/src/admin/client";
import { renderBrokerConfig } from "../../../provider/src/cluster/brokerConfig";
import { controllerConfig } from "../../../provider/src/cluster/controller";
import { readGroupMasters, syncStateSets } from "../../../provider/src/ops/failover/groupMasters";
import { freePortWith, killAndWait, RocketMQTestBed } from "../../support/rocketmq";

const LOOPBACK = "127.0.0.1";

export interface ControllerBroker {
    name: string;
    address: string;
    process?: ChildProcess;
    logFile?: string;
    configFile: string;
}

export class ControllerGroup {
    readonly brokers: ControllerBroker[] = [];
    readonly admin: RocketMQAdminClient;
    private controllerProcess?: ChildProcess;
    private controllerLog = "";

    private constructor(readonly bed: RocketMQTestBed, readonly controller: string, readonly clusterName: string, readonly brokerName: string) {
        this.admin = new RocketMQAdminClient({ nameServers: bed.nameServer, timeoutMs: 5000, connectTimeoutMs: 2000 });
    }

    /** A name server and a controller that leads its Raft group of one; no broker yet. */
    static async start(version: string, clusterName: string, brokerName: string): Promise<ControllerGroup> {
        const bed = await RocketMQTestBed.start({ brokers: [], version });
        const group = new ControllerGroup(bed, `${LOOPBACK}:${await freePortWith([0])}`, clusterName, brokerName);
        try {
            await group.startController();
            return group;
        } catch (err) {
            await group.stop();
            throw err;
        }
    }

    private async startController(): Promise<void> {
        const dir = path.join(this.bed.workDir, "controller");
        fs.mkdirSync(dir, { recursive: true });
        const configFile = path.join(dir, "controller.conf");
        fs.writeFileSync(configFile, controllerConfig(this.clusterName, `n0-${this.controller}`, path.join(dir, "store")) + "controllerDLegerSelfId=n0\n");
        const { process, logFile } = this.bed.spawnServer("controller", "org.apache.rocketmq.controller.ControllerStartup", ["-c", configFile], "192m");
        this.controllerProcess = process;
        this.controllerLog = logFile;
        await this.until("the controller leads its Raft group", 60_000, async () => (await this.admin.getControllerLeader(this.controller, { timeoutMs: 2000 })) !== undefined);
    }

    /** Writes broker `index`'s config and starts it; it registers with the controller, which gives it an id and a role. */
    async startBroker(index: number): Promise<ControllerBroker> {
        const name = `broker-${index}`;
        const port = await freePortWith([-2, 0, 1]);
        const home = path.join(this.bed.workDir, name);
        const store = path.join(home, "store");
        fs.mkdirSync(store, { recursive: true });
        const rendered = renderBrokerConfig(
            { clusterName: this.clusterName, brokerName: this.brokerName, brokerId: index, namesrvAddr: this.bed.nameServer, controllerAddr: this.controller },
            { flushDiskType: "ASYNC_FLUSH" },
        );
        // Later keys win in a Java properties file: the pod's paths and ports become this process's.
        const loopback: Record<string, string | number> = {
            listenPort: port,
            haListenPort: port + 1,
            bindAddress: LOOPBACK,
            brokerIP1: LOOPBACK,
            brokerIP2: LOOPBACK,
            storePathRootDir: store,
            storePathCommitLog: path.join(store, "commitlog"),
            storePathBrokerIdentity: path.join(store, "brokerIdentity"),
            storePathEpochFile: path.join(store, "epochFileCheckpoint"),
            mappedFileSizeCommitLog: 16 * 1024 * 1024,
            mappedFileSizeConsumeQueue: 6000 * 20,
            timerWheelEnable: "false",
            waitTimeMillsInSendQueue: 3000,
        };
        const configFile = path.join(home, "broker.conf");
        fs.writeFileSync(configFile, String(rendered.plain) + Object.entries(loopback).map(([k, v]) => `${k}=${v}\n`).join(""));
        const broker: ControllerBroker = { name, address: `${LOOPBACK}:${port}`, configFile };
        const started = this.bed.spawnServer(name, "org.apache.rocketmq.broker.BrokerStartup", ["-c", configFile], "320m");
        broker.process = started.process;
        broker.logFile = started.logFile;
        this.brokers.push(broker);
        return broker;
    }

    /** The group's master and in-sync replicas as the name server and the controller's leader say, as the provider reads them. */
    async masters(): Promise<{ master?: string; inSync: string[] }> {
        const [group] = await readGroupMasters(this.admin, [this.brokerName], [this.controller], async (address) => address);
        const sets = await syncStateSets(this.admin, [this.controller], [this.brokerName]);
        const inSync = (sets?.[this.brokerName]?.inSyncReplicas ?? []).filter((replica) => replica.alive).map((replica) => replica.brokerAddress).sort();
        return { master: group.masterAddress, inSync };
    }

    /** Kills a broker with SIGKILL, as a node loss would. */
    async kill(broker: ControllerBroker): Promise<void> {
        if (broker.process) await killAndWait(broker.process);
        broker.process = undefined;
    }

    /** Polls `probe` every 250 ms until it is true; fails naming `what` with the logs' tails. */
    async until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<number> {
        const started = Date.now();
        let last: unknown;
        while (Date.now() - started < timeoutMs) {
            try {
                if (await probe()) return Date.now() - started;
            } catch (err) {
                last = err;
            }
            await new Promise((resolve) => setTimeout(resolve, 250));
        }
        const tails = [["controller", this.controllerLog], ...this.brokers.map((b) => [b.name, b.logFile ?? ""])]
            .map(([name, file]) => `--- ${name}:\n${tail(file)}`).join("\n");
        throw new Error(`${what}: not within ${timeoutMs / 1000} s (last error: ${(last as Error)?.message})\n${tails}`);
    }

    async stop(): Promise<void> {
        this.admin.close();
        await Promise.all(this.brokers.map((broker) => this.kill(broker)));
        if (this.controllerProcess) await killAndWait(this.controllerProcess);
        await this.bed.stop();
    }
}

function tail(file: string, lines = 15): string {
    try {
        return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}
