// Inputs keep their nature through the component: a value the engine has not computed yet stays
// an unknown Output, and a secret stays a secret Output, down to every child that uses it.
import * as pulumi from "@pulumi/pulumi";

/** Stands in for an unknown value while the known ones are validated. */
export const unknownInput: unique symbol = Symbol("value not known until pulumi up");

const secretOutputs = new WeakSet<object>();

/** A known secret value as an Output that children can tell apart from plain ones synchronously. */
export function secretInput<T>(value: T): pulumi.Output<T> {
    const output = pulumi.secret(value) as pulumi.Output<T>;
    secretOutputs.add(output);
    return output;
}

/** A value the engine will compute at `pulumi up`; secret when the engine said so. */
export function unknownInputOutput(secret: boolean): pulumi.Output<never> {
    const output = pulumi.output(pulumi.unknown) as unknown as pulumi.Output<never>;
    if (!secret) {
        return output;
    }
    const secretOutput = pulumi.secret(output) as pulumi.Output<never>;
    secretOutputs.add(secretOutput);
    return secretOutput;
}

/** True for an input that was secret when the component received it. */
export function isSecretInput(value: unknown): boolean {
    return typeof value === "object" && value !== null && secretOutputs.has(value);
}
