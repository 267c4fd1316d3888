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

/**
 * The `credentials` input: the ACL 2.0 user every admin request is signed as, for a cluster with
 * authentication on (RocketMQCluster's `adminCredentials` output); none sends requests unsigned.
 */
export const credentialsSchema = z
    .strictObject(
        {
            accessKey: z.string({ error: "accessKey must be the user's name" }).min(1, { error: "accessKey must be the user's name" }),
            secretKey: z.string({ error: "secretKey must be the user's password" }).min(1, { error: "secretKey must be the user's password" }),
        },
        { error: "must be { accessKey, secretKey }" },
    )
    .optional();

/** Inputs that only say how to reach the cluster: changing them changes nothing in RocketMQ. */
export const clusterAccessInputNames: readonly string[] = [...Object.keys(clusterAccessSchemas), "credentials"];
