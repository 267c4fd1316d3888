import { strict as assert } from "node:assert";
import { createHmac } from "node:crypto";
import { signRequest } from "../../src/admin/signing";

describe("admin signing (ACL RPC hook)", () => {
  const credentials = { accessKey: "rocketmq-admin", secretKey: "s3cret" };

  it("adds AccessKey, signs the values sorted by key then the body, and leaves the request as it was", () => {
    const request = { code: 17, extFields: { topic: "orders", perm: "6", Zeta: "z" }, body: Buffer.from("{}") };
    const signed = signRequest(request, credentials);
    // Keys in UTF-16 order, as Java's TreeMap: AccessKey, Zeta, perm, topic.
    const expected = createHmac("sha1", "s3cret").update(Buffer.from("rocketmq-adminz6orders{}")).digest("base64");
    assert.equal(signed.extFields!.Signature, expected);
    assert.equal(signed.extFields!.AccessKey, "rocketmq-admin");
    assert.deepEqual(request.extFields, { topic: "orders", perm: "6", Zeta: "z" });
  });

  it("signs a request with no fields and no body over the access key alone", () => {
    const signed = signRequest({ code: 26 }, credentials);
    assert.equal(signed.extFields!.Signature, createHmac("sha1", "s3cret").update("rocketmq-admin").digest("base64"));
  });

  it("never signs an old Signature field, and replaces it", () => {
    const signed = signRequest({ code: 17, extFields: { b: "2", a: "1", Signature: "x" } }, credentials);
    assert.equal(signed.extFields!.Signature, createHmac("sha1", "s3cret").update("rocketmq-admin12").digest("base64"));
    assert.deepEqual(Object.keys(signed.extFields!).sort(), ["AccessKey", "Signature", "a", "b"]);
  });
});
