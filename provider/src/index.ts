// The plugin's entry point: serve the rocketmq provider over gRPC.
// Nothing else may print to stdout: the engine reads the port from it.
import * as pulumi from "@pulumi/pulumi";
import { engineAddressFrom } from "./engineLog";
import { RocketMQProvider } from "./provider";
import { packageVersion } from "./version";

const args = process.argv.slice(2);
pulumi.provider.main(new RocketMQProvider(packageVersion(), engineAddressFrom(args)), args).catch((err: unknown) => {
    process.stderr.write(`pulumi-resource-rocketmq: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
});
