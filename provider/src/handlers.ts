// What the provider dispatches to, by resource token.
import type * as pulumi from "@pulumi/pulumi";

export interface ComponentHandler {
    construct(
        name: string,
        inputs: pulumi.Inputs,
        options: pulumi.ComponentResourceOptions,
    ): Promise<pulumi.provider.ConstructResult>;
}

/** A custom resource's lifecycle, as in pulumi.provider.Provider minus the token argument. */
export interface CustomResourceHandler {
    check(urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.provider.CheckResult>;
    /** `urn` lets a diff say in the engine log why it found a change the inputs do not show. */
    diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>, urn?: string): Promise<pulumi.provider.DiffResult>;
    create(urn: string, inputs: Record<string, unknown>): Promise<pulumi.provider.CreateResult>;
    read(id: string, props: Record<string, unknown>, urn?: string): Promise<pulumi.provider.ReadResult>;
    update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>, urn?: string): Promise<pulumi.provider.UpdateResult>;
    delete(id: string, props: Record<string, unknown>, urn?: string): Promise<void>;
}
