// The plugin's entry point: serve the rocketmq provider over gRPC.
// Nothing else may print to stdout: the engine reads the port from it.
import * as pulumi from "@pulumi/pulumi";
import { RocketMQProvider } from "./provider";
import { packageVersion } from "./version";

pulumi.provider.main(new RocketMQProvider(packageVersion()), process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`pulumi-resource-rocketmq: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
});
