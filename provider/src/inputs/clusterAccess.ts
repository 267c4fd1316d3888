// The `kubeconfig` and `connection` inputs, declared once for every resource that talks to RocketMQ
// (TopicTransfer, Topic, ConsumerGroup): they say how connect/clusterConnection.ts reaches a cluster.
import * as fs from "node:fs";
import { z } from "zod";
import { connectionModes } from "../connect/modes";
import { isKubeConfigContents } from "../connect/kubeconfig";
import { clientTlsSchema } from "./tls";

export const clusterAccessSchemas = {
    kubeconfig: z
        .string({ error: "must be a kubeconfig file's path or contents" })
        .min(1, { error: "must be a kubeconfig file's path or contents; leave it out to use the ambient kubeconfig" })
        .refine((value) => isKubeConfigContents(value) || fs.existsSync(value), { error: "names no file on this machine: give a kubeconfig file's path or its contents" })
        .optional(),
    connection: z.enum(connectionModes, { error: "must be auto, direct or portForward" }).default("auto"),
};

/**
 * What an operating resource (Topic, ConsumerGroup, TopicTransfer, BrokerScaling) is given to reach
 * a cluster: the above, and `tls` when the cluster's name servers and brokers speak TLS.
 */
export const operationAccessSchemas = {
    ...clusterAccessSchemas,
    tls: clientTlsSchema.optional(),
};

/** Inputs that only say how to reach the cluster: changing them changes nothing in RocketMQ. */
export const clusterAccessInputNames = Object.keys(operationAccessSchemas) as (keyof typeof operationAccessSchemas)[];
