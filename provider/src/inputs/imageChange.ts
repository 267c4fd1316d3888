// Which image changes of a running cluster RocketMQ supports. Brokers keep their store (commit
// log, consume queues, config/*.json) across a restart, and a release reads what older ones wrote,
// so an upgrade in place works. A 4.x broker started on a store a 5.x broker wrote starts and serves
// the messages, but rewrites config/topics.json without what 4.x does not know: topic attributes
// such as message.type (FIFO, DELAY, TRANSACTION) are dropped for good. Going back within the 5.x
// line keeps them (a 5.3.2 broker on a 5.5.1 store), so only a change of major version downwards
// is refused. An image whose tag names no release (a digest, "latest") cannot be judged and is let through.
import { imageTag } from "./images";

export interface Release {
    major: number;
    minor: number;
    patch: number;
}

/** The release an image's tag names ("5.3.2" of "apache/rocketmq:5.3.2", also "5.3.2-alpine"), if any. */
export function releaseOf(image: string): Release | undefined {
    const match = /^v?(\d+)\.(\d+)\.(\d+)(?:$|[^\d.])/.exec(imageTag(image) ?? "");
    return match ? { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) } : undefined;
}

/** Why changing a running component from `from` to `to` is refused, or undefined when RocketMQ supports it. */
export function unsupportedImageChange(from: string, to: string): string | undefined {
    const [before, after] = [releaseOf(from), releaseOf(to)];
    if (!before || !after || after.major >= before.major) return undefined;
    return `${from} -> ${to} is a downgrade RocketMQ does not support: a ${after.major}.x broker started on the store a ${before.major}.x broker wrote ` +
        `rewrites its metadata without what ${after.major}.x does not know (topic attributes such as message.type are lost for good). ` +
        `Keep ${from}, or deploy a new cluster on ${to}`;
}
