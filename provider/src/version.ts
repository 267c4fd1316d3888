import { readPackageSchema } from "./schema";

/** The provider's version is the schema's: one number for the plugin, the schema and the SDKs. */
export function packageVersion(): string {
    const version = readPackageSchema().version;
    if (typeof version !== "string" || version === "") {
        throw new Error("schema.json has no version");
    }
    return version;
}
