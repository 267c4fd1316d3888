// The user's env of a container: a secret value goes to a Secret of the component (a broker
// group's, the proxies') and the container reads it through secretKeyRef.
import * as k8s from "./k8s";
import * as pulumi from "@pulumi/pulumi";
import { isSecretInput } from "../inputs/nature";

type EnvVar = k8s.types.input.core.v1.EnvVar;

export interface SecretAwareEnv {
    /** Secret env values by their key in the Secret. */
    secretValues: Record<string, pulumi.Input<string>>;
    /** The user's env for the container, secret values read from the Secret. */
    containerEnv(secretName: string): pulumi.Input<pulumi.Input<EnvVar>[]> | undefined;
}

/** A secret env value is read from a Secret of the component, so the pod spec never holds it. */
export function secretAwareEnv(env: pulumi.Input<pulumi.Input<EnvVar>[]> | object | undefined): SecretAwareEnv {
    if (!Array.isArray(env)) {
        return { secretValues: {}, containerEnv: () => env as pulumi.Input<EnvVar[]> | undefined };
    }
    const secretKey = (index: number) => `env-${index}`;
    const entries = env as Record<string, unknown>[];
    const isSecretEntry = (entry: Record<string, unknown>) => typeof entry === "object" && entry !== null && isSecretInput(entry.value);
    return {
        secretValues: Object.fromEntries(entries.flatMap((entry, index) =>
            isSecretEntry(entry) ? [[secretKey(index), entry.value as pulumi.Input<string>]] : [])),
        containerEnv: (secretName) => entries.map((entry, index) => isSecretEntry(entry)
            ? { name: entry.name as pulumi.Input<string>, valueFrom: { secretKeyRef: { name: secretName, key: secretKey(index) } } }
            : entry as unknown as pulumi.Input<EnvVar>),
    };
}
