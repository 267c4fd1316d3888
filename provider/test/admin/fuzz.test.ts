// The short, seeded pass of the admin client's fuzz tier (`npm run fuzz` runs the long one).

import { strict as assert } from "node:assert";
import { runFuzz } from "../fuzz/fuzz";

const SEED = 20261202;
const SECONDS = 40;

describe("admin client fuzz tier (seeded, short)", function () {
  this.timeout((SECONDS + 60) * 1000);

  it(`survives ${SECONDS} s of mutated captures, adversarial JSON and a misbehaving loopback peer (seed ${SEED})`, async () => {
    const report = await runFuzz({ seed: SEED, seconds: SECONDS });
    for (const [name, result] of Object.entries(report.classes)) {
      assert.deepEqual(result.failures, [], `${name}: no input failed`);
      assert.ok(result.inputs >= 50, `${name}: ran ${result.inputs} inputs`);
    }
    assert.deepEqual(report.escaped, [], "no uncaught exception or unhandled rejection");
  });
});
