// The plugin's entry point: serve the rocketmq provider over gRPC.
// Nothing else may print to stdout: the engine reads the port from it.
// The provider server alone: the whole SDK takes about half a second more to load, and only
// a component's construct needs it (its handler loads it on first use).
import { main } from "@pulumi/pulumi/provider";
import { engineAddressFrom } from "./engineLog";
import { RocketMQProvider } from "./provider";
import { packageVersion } from "./version";

const args = process.argv.slice(2);
main(new RocketMQProvider(packageVersion(), engineAddressFrom(args)), args).catch((err: unknown) => {
    process.stderr.write(`pulumi-resource-rocketmq: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
});
