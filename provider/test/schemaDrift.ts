// Describes the zod input schemas and schema.json's inputs in one common shape, so a test can
// compare them property by property: names, types, required-ness, enum values, Kubernetes refs.
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { kubernetesTypes } from "../src/inputs/kube";

export type Shape =
    | { kind: "string" | "integer" | "number" | "boolean" }
    | { kind: "enum"; values: string[] }
    | { kind: "array"; items: Shape }
    | { kind: "map"; values: Shape }
    | { kind: "object"; properties: Record<string, { required: boolean; shape: Shape }> }
    | { kind: "kubernetes"; token: string };

interface ZodInternals {
    // optin is "optional" or "defaulted" for inputs a caller may omit.
    _zod: { def: any; optin?: string };
}

const wrapperTypes = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"]);

function unwrap(schema: ZodInternals): ZodInternals {
    let current = schema;
    while (wrapperTypes.has(current._zod.def.type)) {
        current = current._zod.def.innerType;
    }
    return current;
}

export function zodShape(schema: z.ZodType): Shape {
    const inner = unwrap(schema as unknown as ZodInternals);
    const kubernetes = kubernetesTypes.get(inner as unknown as z.ZodType);
    if (kubernetes) {
        return { kind: "kubernetes", token: kubernetes.token };
    }
    const def = inner._zod.def;
    switch (def.type) {
        case "string":
        case "boolean":
            return { kind: def.type };
        case "number":
            return { kind: def.format === "safeint" || def.format === "int32" ? "integer" : "number" };
        case "enum":
            return { kind: "enum", values: Object.values(def.entries as Record<string, string>).sort() };
        case "array":
            return { kind: "array", items: zodShape(def.element) };
        case "record":
            return { kind: "map", values: zodShape(def.valueType) };
        case "object": {
            const properties: Record<string, { required: boolean; shape: Shape }> = {};
            for (const [name, property] of Object.entries(def.shape as Record<string, ZodInternals>)) {
                properties[name] = { required: property._zod.optin === undefined, shape: zodShape(property as unknown as z.ZodType) };
            }
            return { kind: "object", properties };
        }
        default:
            throw new Error(`zod type ${def.type} has no schema.json counterpart`);
    }
}

export interface PackageSchemaJson {
    resources: Record<string, { inputProperties: Record<string, any>; requiredInputs?: string[]; properties: Record<string, any> }>;
    types: Record<string, any>;
}

/** The kubernetes package version schema.json must reference: the one whose resources the component registers. */
export const kubernetesVersion: string = require("@pulumi/kubernetes/package.json").version;
const kubernetesRefPattern = new RegExp(`^/kubernetes/v${kubernetesVersion.replace(/\./g, "\\.")}/schema\\.json#/types/kubernetes:(.+)$`);

export function schemaJsonShape(schema: PackageSchemaJson, property: any): Shape {
    const ref: string | undefined = property.$ref;
    if (ref !== undefined) {
        const kubernetes = kubernetesRefPattern.exec(ref);
        if (kubernetes) {
            return { kind: "kubernetes", token: kubernetes[1] };
        }
        const local = /^#\/types\/(.+)$/.exec(ref);
        if (!local || !(local[1] in schema.types)) {
            throw new Error(`unresolvable $ref ${ref}`);
        }
        return schemaJsonShape(schema, schema.types[local[1]]);
    }
    if (property.enum) {
        return { kind: "enum", values: property.enum.map((value: { value: string }) => value.value).sort() };
    }
    switch (property.type) {
        case "string":
        case "integer":
        case "number":
        case "boolean":
            return { kind: property.type };
        case "array":
            return { kind: "array", items: schemaJsonShape(schema, property.items) };
        case "object":
            if (property.additionalProperties) {
                return { kind: "map", values: schemaJsonShape(schema, property.additionalProperties) };
            }
            return objectShape(schema, property.properties ?? {}, property.required ?? []);
        default:
            throw new Error(`schema.json property without a type: ${JSON.stringify(property)}`);
    }
}

export function objectShape(schema: PackageSchemaJson, properties: Record<string, any>, required: string[]): Shape {
    return {
        kind: "object",
        properties: Object.fromEntries(Object.entries(properties).map(([name, property]) => [
            name,
            { required: required.includes(name), shape: schemaJsonShape(schema, property) },
        ])),
    };
}

/** Every difference between two shapes, as "path: what differs". */
export function differences(zodSide: Shape, jsonSide: Shape, path = ""): string[] {
    const at = path === "" ? "(root)" : path;
    if (zodSide.kind !== jsonSide.kind) {
        return [`${at}: zod has ${zodSide.kind}, schema.json has ${jsonSide.kind}`];
    }
    switch (zodSide.kind) {
        case "enum": {
            const json = jsonSide as typeof zodSide;
            return JSON.stringify(zodSide.values) === JSON.stringify(json.values)
                ? []
                : [`${at}: zod enum ${zodSide.values.join("|")}, schema.json enum ${json.values.join("|")}`];
        }
        case "kubernetes": {
            const json = jsonSide as typeof zodSide;
            return zodSide.token === json.token ? [] : [`${at}: zod stands for ${zodSide.token}, schema.json references ${json.token}`];
        }
        case "array":
            return differences(zodSide.items, (jsonSide as typeof zodSide).items, `${path}[]`);
        case "map":
            return differences(zodSide.values, (jsonSide as typeof zodSide).values, `${path}{}`);
        case "object": {
            const json = jsonSide as typeof zodSide;
            const names = new Set([...Object.keys(zodSide.properties), ...Object.keys(json.properties)]);
            return [...names].sort().flatMap((name) => {
                const child = path === "" ? name : `${path}.${name}`;
                const fromZod = zodSide.properties[name];
                const fromJson = json.properties[name];
                if (!fromZod) return [`${child}: only in schema.json`];
                if (!fromJson) return [`${child}: only in the zod schema`];
                const required = fromZod.required === fromJson.required
                    ? []
                    : [`${child}: required in ${fromZod.required ? "zod" : "schema.json"} only`];
                return [...required, ...differences(fromZod.shape, fromJson.shape, child)];
            });
        }
        default:
            return [];
    }
}

/** schema.json's text as the plugin serves it. */
export function schemaText(): string {
    return fs.readFileSync(path.resolve(__dirname, "..", "..", "schema.json"), "utf8");
}

/** schema.json parsed afresh, so a test may edit its copy. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadSchema(): any {
    return JSON.parse(schemaText());
}

/** Where a resource's inputs in schema.json and its zod schema disagree; empty when they agree. */
export function inputDifferences(schema: PackageSchemaJson, token: string, argsSchema: z.ZodType): string[] {
    const resource = schema.resources[token];
    return differences(zodShape(argsSchema), objectShape(schema, resource.inputProperties, resource.requiredInputs ?? []));
}
