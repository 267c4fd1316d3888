// Values computed from inputs that may be unknown or secret Outputs. With plain inputs the result
// is plain, so a fully known spec renders exactly the objects it always did; with an Output among
// them the result is an Output that is unknown or secret whenever one of them is.
import * as pulumi from "@pulumi/pulumi";

export function containsOutputs(value: unknown): boolean {
    if (pulumi.Output.isInstance(value)) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsOutputs);
    }
    if (value !== null && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
        return Object.values(value).some(containsOutputs);
    }
    return false;
}

/** `compute` of the plain values, or an Output of it when any input is an Output. */
export function derive<T, R>(inputs: T, compute: (values: pulumi.Unwrap<T>) => R): pulumi.Input<R> {
    if (!containsOutputs(inputs)) {
        return compute(inputs as pulumi.Unwrap<T>);
    }
    return pulumi.output(inputs).apply((values) => compute(values)) as pulumi.Output<R>;
}

/** Lists joined in order; an Output list makes the whole list an Output. */
export function concatLists<T>(...lists: (pulumi.Input<T[]> | pulumi.Input<T>[] | undefined)[]): pulumi.Input<pulumi.Input<T>[]> {
    if (lists.every((list) => list === undefined || Array.isArray(list))) {
        return lists.flatMap((list) => (list ?? []) as pulumi.Input<T>[]);
    }
    return pulumi.all(lists.map((list) => pulumi.output(list ?? []))).apply((resolved) => resolved.flat() as T[]) as pulumi.Output<pulumi.Input<T>[]>;
}

/** Records merged left to right (later keys win); an Output record makes the whole record an Output. */
export function mergeRecords(...records: (pulumi.Input<Record<string, pulumi.Input<string>>> | undefined)[]): pulumi.Input<Record<string, pulumi.Input<string>>> {
    if (records.every((record) => record === undefined || !pulumi.Output.isInstance(record))) {
        return Object.assign({}, ...records);
    }
    return pulumi.all(records.map((record) => pulumi.output(record ?? {}))).apply((resolved) => Object.assign({}, ...resolved)) as pulumi.Output<Record<string, string>>;
}
