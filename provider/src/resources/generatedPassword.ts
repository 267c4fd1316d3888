// rocketmq:index:GeneratedPassword, created by RocketMQCluster when auth is on and no super user
// password is given: a random password made once at create and kept (secret) in the stack, so every
// later run renders the same broker settings. Only another length makes a new one (a replacement).
import { randomBytes } from "node:crypto";
import { CustomResourceHandler } from "../handlers";
import { secretValue } from "./authAccess";

export const generatedPasswordToken = "rocketmq:index:GeneratedPassword";
export const defaultGeneratedPasswordLength = 24;

/** Letters and digits only: the password travels inside JSON in broker.conf and through shells. */
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function randomPassword(length: number): string {
    // 62 letters in 256 byte values: bytes from 248 up are dropped, so every letter is equally likely.
    let password = "";
    while (password.length < length) {
        for (const byte of randomBytes(length * 2)) {
            if (byte < 248 && password.length < length) password += alphabet[byte % alphabet.length];
        }
    }
    return password;
}

function lengthOf(inputs: Record<string, unknown>): number {
    const length = inputs.length;
    return typeof length === "number" && Number.isInteger(length) && length >= 16 && length <= 128 ? length : defaultGeneratedPasswordLength;
}

export function generatedPasswordHandler(): CustomResourceHandler {
    return {
        async check(_urn, _olds, news) {
            const length = news.length;
            if (length !== undefined && !(typeof length === "number" && Number.isInteger(length) && length >= 16 && length <= 128)) {
                return { inputs: news, failures: [{ property: "length", reason: "must be a whole number from 16 to 128" }] };
            }
            return { inputs: { length: lengthOf(news) } };
        },
        async diff(_id, olds, news) {
            const changed = lengthOf(olds) !== lengthOf(news);
            return { changes: changed, replaces: changed ? ["length"] : [], deleteBeforeReplace: false };
        },
        async create(_urn, inputs) {
            const length = lengthOf(inputs);
            return { id: "generated-password", outs: { length, result: secretValue(randomPassword(length)) } };
        },
        async read(id, props) {
            return { id, props, inputs: { length: lengthOf(props) } };
        },
        async update(_id, olds) {
            return { outs: olds };
        },
        async delete() {
            // Nothing outside the stack holds it.
        },
    };
}
