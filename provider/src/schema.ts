import * as fs from "fs";
import * as path from "path";

/** schema.json sits at the package root, two levels above provider/src. */
export const schemaPath = path.resolve(__dirname, "..", "..", "schema.json");

// The bundled plugin carries schema.json's text (scripts/bundle.mjs defines it), so the plugin
// is one file; run from source, the file is read.
declare const BUNDLED_SCHEMA_TEXT: string | undefined;

let cachedSchemaText: string | undefined;

/** The package schema as the engine receives it from GetSchema: the file's exact text. */
export function packageSchemaText(): string {
    cachedSchemaText ??= typeof BUNDLED_SCHEMA_TEXT === "string" ? BUNDLED_SCHEMA_TEXT : fs.readFileSync(schemaPath, "utf8");
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
