// How a resource that talks to RocketMQ reaches a cluster, declared once: `kubeconfig` and
// `connection` (how connect/clusterConnection.ts gets there), and for the operating resources `tls`
// and `credentials` (how it is spoken to).
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

/**
 * What a resource that speaks only to name servers and controllers is given to reach a cluster: the
 * above and `tls` when they speak TLS. No `credentials`: neither checks ACL 2.0 signatures.
 */
export const nameServerAccessSchemas = {
    ...clusterAccessSchemas,
    tls: clientTlsSchema.optional(),
};

/**
 * What an operating resource (Topic, ConsumerGroup, TopicTransfer, BrokerScaling, User, Acl) is given
 * to reach a cluster: the above, and `credentials` when its brokers check ACL 2.0 signatures.
 */
export const operationAccessSchemas = {
    ...nameServerAccessSchemas,
    credentials: credentialsSchema,
};

/** Inputs that only say how to reach the cluster: changing them changes nothing in RocketMQ. */
export const clusterAccessInputNames = Object.keys(operationAccessSchemas) as (keyof typeof operationAccessSchemas)[];
