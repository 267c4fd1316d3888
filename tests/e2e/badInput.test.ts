// A user's bad input is refused at `pulumi preview` with the field path and the rule, and
// `pulumi up` creates nothing.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";

describe("e2e: bad RocketMQCluster inputs", function () {
    let stack: PulumiTestStack;

    before(async () => {
        stack = await PulumiTestStack.create({ programDir: copyProgram(path.join(__dirname, "programs", "bad-input")) });
    });

    after(async () => {
        await stack?.remove();
    });

    it("preview fails naming every bad field and its rule", async () => {
        const result = await stack.preview();
        const output = result.stdout + result.stderr;
        assert.notEqual(result.code, 0, output);
        assert.match(output, /nameServer\.size/);
        assert.match(output, /broker\.replicaPerGroup/);
        assert.match(output, /broker\.brokerConfig\.properties\.brokerName/);
        assert.match(output, /whole number from 0 to 3/);
    });

    it("up creates no Kubernetes object", async () => {
        const result = await stack.up();
        assert.notEqual(result.code, 0, result.stdout + result.stderr);
        assert.match(result.stdout + result.stderr, /broker\.replicaPerGroup/);
        const types = await stack.resourceTypes();
        assert.deepEqual(types.filter((type) => type.startsWith("kubernetes:")), []);
    });
});

describe("e2e: a synchronous master with no replica", function () {
    let stack: PulumiTestStack;

    before(async () => {
        stack = await PulumiTestStack.create({ programDir: copyProgram(path.join(__dirname, "programs", "bad-input-sync-master")) });
    });

    after(async () => {
        await stack?.remove();
    });

    it("preview fails naming brokerRole and replicaPerGroup, and why every send would fail", async () => {
        const result = await stack.preview();
        const output = result.stdout + result.stderr;
        assert.notEqual(result.code, 0, output);
        assert.match(output, /broker\.brokerConfig\.brokerRole: SYNC_MASTER .*broker\.replicaPerGroup is 0: every send would fail with SLAVE_NOT_AVAILABLE/);
    });
});
