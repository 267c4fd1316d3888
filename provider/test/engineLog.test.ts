// Log lines reach the engine's Log service tagged with their resource, in the order written.
import { strict as assert } from "node:assert";
import * as grpc from "@grpc/grpc-js";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { engineAddressFrom, engineResourceLogs } from "../src/engineLog";

describe("engine log", () => {
    it("finds the engine address among the plugin's arguments", () => {
        assert.equal(engineAddressFrom(["127.0.0.1:4000"]), "127.0.0.1:4000");
        assert.equal(engineAddressFrom(["--logtostderr", "-v=9", "--tracing", "file:/tmp/t", "127.0.0.1:4000"]), "127.0.0.1:4000");
        assert.equal(engineAddressFrom([]), undefined);
    });

    it("sends each line to the engine with the resource's URN and severity, in order", async () => {
        const received: Array<{ urn: string; message: string; severity: LogSeverity }> = [];
        const server = new grpc.Server();
        server.addService(EngineService, {
            log(call: grpc.ServerUnaryCall<LogRequest, Empty>, callback: grpc.sendUnaryData<Empty>) {
                const request = call.request;
                received.push({ urn: request.getUrn(), message: request.getMessage(), severity: request.getSeverity() });
                // Answer the first line last, so only the sender's own ordering keeps them in order.
                setTimeout(() => callback(null, new Empty()), received.length === 1 ? 50 : 0);
            },
        });
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
        );
        try {
            const urn = "urn:pulumi:dev::p::rocketmq:index:TopicTransfer::t";
            const log = engineResourceLogs(`127.0.0.1:${port}`)(urn);
            log.info("step 1 of 7");
            log.warn("slow consumers");
            log.info("step 2 of 7");
            await log.flush?.();
            assert.deepEqual(received, [
                { urn, message: "step 1 of 7", severity: LogSeverity.INFO },
                { urn, message: "slow consumers", severity: LogSeverity.WARNING },
                { urn, message: "step 2 of 7", severity: LogSeverity.INFO },
            ]);
        } finally {
            server.forceShutdown();
        }
    });
});
