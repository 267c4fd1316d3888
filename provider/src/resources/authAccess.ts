// What the User and Acl adapters share: the id that carries what an import needs, and how an import
// reaches the cluster. An import has no inputs, so its credentials come from ROCKETMQ_ACCESS_KEY and
// ROCKETMQ_SECRET_KEY when set (a cluster with auth on refuses an unsigned read).
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { parsePlacedId } from "./placedResource";

export interface ImportSource {
    name: string;
    clusterName: string;
    nameServerAddresses: string;
    connection: "auto";
    credentials?: { accessKey: string; secretKey: string };
}

export function importSourceOf(id: string, token: string): ImportSource {
    const { nameServerAddresses, placement, name } = parsePlacedId(id, token);
    if (placement.clusterName === undefined) throw new Error(`cannot import ${token} from id ${JSON.stringify(id)}: expected <nameServerAddresses>/cluster:<clusterName>/<name>`);
    const accessKey = process.env.ROCKETMQ_ACCESS_KEY;
    const secretKey = process.env.ROCKETMQ_SECRET_KEY;
    return { name, clusterName: placement.clusterName, nameServerAddresses, connection: "auto", ...(accessKey && secretKey ? { credentials: { accessKey, secretKey } } : {}) };
}

export function secretValue(value: unknown): unknown {
    return { [rpc.specialSigKey]: rpc.specialSecretSig, value };
}
