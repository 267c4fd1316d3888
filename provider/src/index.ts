// The plugin's entry point: serve the rocketmq provider over gRPC.
// Nothing else may print to stdout: the engine reads the port from it.
// The provider server alone: the whole SDK takes about half a second more to load, and only
// a component's construct needs it (its handler loads it on first use).
import { main } from "@pulumi/pulumi/provider";
import { constants } from "node:os";
import { engineAddressFrom } from "./engineLog";
import { RocketMQProvider } from "./provider";
import { packageVersion } from "./version";

// The engine stops a plugin with SIGINT. Leaving through process.exit, as the default action
// would not, lets Node.js write its compile cache (NODE_COMPILE_CACHE, set by the launcher), so
// the next start need not compile the bundle again.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => process.exit(128 + constants.signals[signal]));
}

const args = process.argv.slice(2);
main(new RocketMQProvider(packageVersion(), engineAddressFrom(args)), args).catch((err: unknown) => {
    process.stderr.write(`pulumi-resource-rocketmq: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
});
