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

  it("holds on a loaded machine: paused after each good reply past the call's timeout, a good reply still reaches the call after every script", async () => {
    const report = await runFuzz({ seed: SEED, seconds: 8, pauseAfterGoodReplyMs: 150 });
    const loopback = report.classes.loopback;
    assert.deepEqual(loopback.failures, [], "loopback: no input failed");
    assert.ok(loopback.inputs >= 3, `loopback: ran ${loopback.inputs} inputs`);
    // Each pause outlasted the first follow-up's 100 ms: its timer fired before the reply was read, every time.
    assert.equal(report.lostFollowUps, loopback.inputs, "every first follow-up was lost to the pause");
    assert.deepEqual(report.escaped, [], "no uncaught exception or unhandled rejection");
  });
});
