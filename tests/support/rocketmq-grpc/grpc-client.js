// A RocketMQ 5 gRPC client (the npm package rocketmq-client-nodejs) that talks to a proxy; the same
// commands and output as GrpcClient.java:
//   produce <endpoint> <topic> <tag> <count> <messageGroups>
//   consume <endpoint> <consumerGroup> <topic> <tag> <count> <timeoutSeconds>
// ROCKETMQ_GRPC_TLS=true speaks TLS, verifying the proxy's certificate against the roots grpc-js reads
// from GRPC_DEFAULT_SSL_ROOTS_FILE_PATH and its name against the endpoint's host.
"use strict";
const { ConsumeResult, Producer, PushConsumer } = require("rocketmq-client-nodejs");

const sslEnabled = process.env.ROCKETMQ_GRPC_TLS === "true";

async function produce(endpoints, topic, tag, count, groups) {
    const producer = new Producer({ endpoints, namespace: "", sslEnabled });
    await producer.startup();
    let sent = 0;
    for (let i = 0; i < count; i++) {
        const group = groups > 0 ? `g${i % groups}` : undefined;
        const body = group ? `${group}:${Math.floor(i / groups)}` : `m:${i}`;
        await producer.send({ topic, tag, keys: [`${tag}-${topic}-${i}`], body: Buffer.from(body), ...(group ? { messageGroup: group } : {}) });
        sent++;
    }
    console.log(`SENT ${sent}`);
    await producer.shutdown();
}

async function consume(endpoints, consumerGroup, topic, tag, count, timeoutSeconds) {
    const keys = new Set();
    const nextPosition = new Map();
    let outOfOrder = 0;
    const consumer = new PushConsumer({
        endpoints,
        namespace: "",
        sslEnabled,
        consumerGroup,
        subscriptions: new Map().set(topic, tag),
        messageListener: {
            consume(view) {
                const key = view.keys[0];
                if (!keys.has(key)) {
                    keys.add(key);
                    if (view.messageGroup) {
                        const body = view.body.toString();
                        const position = Number(body.slice(body.indexOf(":") + 1));
                        if (position !== (nextPosition.get(view.messageGroup) ?? 0)) outOfOrder++;
                        nextPosition.set(view.messageGroup, position + 1);
                    }
                }
                return ConsumeResult.SUCCESS;
            },
        },
    });
    await consumer.startup();
    const deadline = Date.now() + timeoutSeconds * 1000;
    while (keys.size < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    await consumer.shutdown();
    console.log(`CONSUMED ${keys.size}`);
    console.log(`OUT_OF_ORDER ${outOfOrder}`);
    return keys.size === count;
}

async function main(argv) {
    if (argv[0] === "produce") {
        await produce(argv[1], argv[2], argv[3], Number(argv[4]), Number(argv[5]));
        return 0;
    }
    return (await consume(argv[1], argv[2], argv[3], argv[4], Number(argv[5]), Number(argv[6]))) ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error) => {
    console.error(error);
    process.exit(2);
});
