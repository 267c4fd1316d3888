import * as fs from "fs";
import * as path from "path";

/** schema.json sits at the package root, two levels above both provider/src and provider/bin. */
export const schemaPath = path.resolve(__dirname, "..", "..", "schema.json");

let cachedSchemaText: string | undefined;

/** The package schema as the engine receives it from GetSchema: the file's exact text. */
export function packageSchemaText(): string {
    cachedSchemaText ??= fs.readFileSync(schemaPath, "utf8");
    return cachedSchemaText;
}

export interface PackageSchema {
    name: string;
    version: string;
    resources: Record<string, unknown>;
    types?: Record<string, unknown>;
}

export function readPackageSchema(): PackageSchema {
    return JSON.parse(packageSchemaText()) as PackageSchema;
}
