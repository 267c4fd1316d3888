// The `kubeconfig` and `connection` inputs, declared once for every resource that talks to RocketMQ
// (TopicTransfer, Topic, ConsumerGroup): they say how connect/clusterConnection.ts reaches a cluster.
import * as fs from "node:fs";
import { z } from "zod";
import { connectionModes } from "../connect/modes";
import { isKubeConfigContents } from "../connect/kubeconfig";

export const clusterAccessSchemas = {
    kubeconfig: z
        .string({ error: "must be a kubeconfig file's path or contents" })
        .min(1, { error: "must be a kubeconfig file's path or contents; leave it out to use the ambient kubeconfig" })
        .refine((value) => isKubeConfigContents(value) || fs.existsSync(value), { error: "names no file on this machine: give a kubeconfig file's path or its contents" })
        .optional(),
    connection: z.enum(connectionModes, { error: "must be auto, direct or portForward" }).default("auto"),
};

/** Inputs that only say how to reach the cluster: changing them changes nothing in RocketMQ. */
export const clusterAccessInputNames = Object.keys(clusterAccessSchemas) as (keyof typeof clusterAccessSchemas)[];
