// schema.json's TopicTransfer and the zod schema describe the same inputs; its outputs are the
// handler's outputs plus the inputs.
import * as assert from "assert";
import { topicTransferArgsSchema } from "../src/inputs/topicTransfer";
import { topicTransferOutputNames, topicTransferToken } from "../src/resources/topicTransfer";
import { PackageSchemaJson, loadSchema, inputDifferences as differencesOf } from "./schemaDrift";

function inputDifferences(schema: PackageSchemaJson): string[] {
    return differencesOf(schema, topicTransferToken, topicTransferArgsSchema);
}

describe("schema.json TopicTransfer", () => {
    it("is a custom resource (not a component) with the same inputs as the zod schema", () => {
        const schema = loadSchema();
        assert.strictEqual(schema.resources[topicTransferToken].isComponent, undefined);
        assert.deepStrictEqual(inputDifferences(schema), []);
    });

    it("would notice an input only one side has, or a changed requirement", () => {
        const gained = loadSchema();
        gained.resources[topicTransferToken].inputProperties.brokerFilter = { type: "string" };
        assert.deepStrictEqual(inputDifferences(gained), ["brokerFilter: only in schema.json"]);
        const required = loadSchema();
        required.resources[topicTransferToken].requiredInputs.push("consumeTimeoutSeconds");
        assert.deepStrictEqual(inputDifferences(required), ["consumeTimeoutSeconds: required in schema.json only"]);
    });

    it("lists as outputs the inputs plus what the handler returns, each described", () => {
        const resource = loadSchema().resources[topicTransferToken];
        assert.deepStrictEqual(
            Object.keys(resource.properties).sort(),
            [...Object.keys(resource.inputProperties), ...topicTransferOutputNames].sort(),
        );
        for (const [name, property] of Object.entries<any>({ ...resource.inputProperties, ...resource.properties })) {
            assert.ok(typeof property.description === "string" && property.description.length >= 20, `${name} is described`);
        }
        assert.match(resource.description, /does not move the topic back/);
    });
});
