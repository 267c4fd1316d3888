// Log lines for the engine, attached to the resource they are about, so `pulumi preview` and
// `pulumi up` print them under that resource. @pulumi/pulumi's provider server connects its own
// log only for components, so custom resources send to the engine's Log service here.
import * as grpc from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import type { ProgressLog } from "./ops/progressLog";

/** Log lines for one resource. */
export type ResourceLogs = (urn: string) => ProgressLog;

/** The engine address among the plugin's arguments: the first that is not a logging or tracing flag. */
export function engineAddressFrom(args: string[]): string | undefined {
    for (let i = 0; i < args.length; i++) {
        if (args[i] === "--tracing") i++;
        else if (args[i] !== "--logtostderr" && !args[i].startsWith("-v=")) return args[i];
    }
    return undefined;
}

/**
 * Sends each line to the engine at `address`, tagged with the resource's URN. Without an engine
 * (a plugin started by hand or by a test) lines go to stderr, which the engine would relay too.
 */
export function engineResourceLogs(address: string | undefined): ResourceLogs {
    if (!address) return () => stderrLog;
    let client: EngineClient | undefined;
    // One line at a time, so the engine shows them in the order they were written.
    let sent: Promise<void> = Promise.resolve();
    const send = (severity: LogSeverity, urn: string, message: string) => {
        client ??= new EngineClient(address, grpc.credentials.createInsecure());
        const engine = client;
        const request = new LogRequest().setSeverity(severity).setUrn(urn).setMessage(message);
        sent = sent.then(
            () =>
                new Promise<void>((resolve) =>
                    engine.log(request, (err) => {
                        if (err) stderrLog.info(message);
                        resolve();
                    }),
                ),
        );
    };
    return (urn) => ({
        info: (message) => send(LogSeverity.INFO, urn, message),
        warn: (message) => send(LogSeverity.WARNING, urn, message),
        flush: () => sent,
    });
}

const stderrLog: ProgressLog = {
    info: (message) => void process.stderr.write(`${message}\n`),
    warn: (message) => void process.stderr.write(`warning: ${message}\n`),
};
