// Runs one topic transfer in its own process, so a test can kill it mid-way (SIGKILL, as a crashed
// provider or machine would die).
// Usage: transferProcess.ts nameServer topic source target timeoutSeconds group,group
import { RocketMQAdminClient } from "../../../provider/src/admin";
import { RemoteTransferAdmin } from "../../../provider/src/ops/remoteTransferAdmin";
import { transferTopic } from "../../../provider/src/ops/topicTransfer";

async function main(): Promise<void> {
    const [nameServer, topic, sourceCluster, targetCluster, timeout, groups] = process.argv.slice(2);
    const client = new RocketMQAdminClient({ nameServers: nameServer });
    const log = { info: (m: string) => process.stderr.write(`${m}\n`), warn: (m: string) => process.stderr.write(`warning: ${m}\n`) };
    try {
        const result = await transferTopic(new RemoteTransferAdmin(client), { topic, sourceCluster, targetCluster, consumeTimeoutSeconds: Number(timeout), consumerGroups: groups.split(",") }, log, { pollIntervalMs: 200 });
        process.stdout.write(`DONE ${JSON.stringify(result)}\n`);
    } finally {
        client.close();
    }
}

main().catch((err: unknown) => {
    process.stderr.write(`FAILED ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
});
