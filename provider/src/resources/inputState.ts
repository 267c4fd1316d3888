// How inputs travel between the engine's state and a handler: the kubeconfig goes into the state as
// a secret, and any value the state holds as a secret comes back out as plain data for validation.
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { isSecretNull } from "../inputs/resolve";

/** The inputs as the state keeps them: inputs left out stay out, and the kubeconfig and credentials stay secret. */
export function stateOf<T extends { kubeconfig?: string; credentials?: object }>(args: T): Record<string, unknown> {
    const state: Record<string, unknown> = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
    if (args.kubeconfig !== undefined) state.kubeconfig = { [rpc.specialSigKey]: rpc.specialSecretSig, value: args.kubeconfig };
    if (args.credentials !== undefined) state.credentials = { [rpc.specialSigKey]: rpc.specialSecretSig, value: args.credentials };
    return state;
}

/** The named inputs, secret values unwrapped (the state holds the kubeconfig, and any input the program made secret, as secrets). */
export function plainInputs(inputs: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
    const plain = (value: unknown) => (rpc.isRpcSecret(value) ? rpc.unwrapRpcSecret(value) : value);
    // A secret null (a cluster's adminCredentials while its auth is off) is not set.
    return Object.fromEntries(names.filter((name) => name in inputs && !isSecretNull(inputs[name])).map((name) => [name, plain(inputs[name])]));
}
