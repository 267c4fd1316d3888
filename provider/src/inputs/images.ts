// Container image references, checked with the grammar container runtimes use, so a typo such as
// "apache/RocketMQ:5.3.2" or "apache/rocketmq:" is refused at preview instead of as ImagePullBackOff.
import { z } from "zod";

const domain = String.raw`(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?`;
const pathComponent = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const tag = String.raw`[\w][\w.-]{0,127}`;
const digest = String.raw`[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`;

const imageReferencePattern = new RegExp(
    `^(?:${domain}/)?${pathComponent}(?:/${pathComponent})*(?::(${tag}))?(?:@(${digest}))?$`,
);

export const defaultRocketMQImage = "apache/rocketmq:5.5.1";
export const defaultDashboardImage = "apacherocketmq/rocketmq-dashboard:2.0.0";

export const imageReferenceSchema = z.string({ error: "must be an image reference string" }).superRefine((value, ctx) => {
    if (value.length > 255 || !imageReferencePattern.test(value)) {
        ctx.addIssue({
            code: "custom",
            message: `"${value}" is not a valid image reference ([registry/]repository[:tag][@digest], lower-case repository, e.g. "${defaultRocketMQImage}")`,
        });
    }
});

/** The tag of an image reference ("5.3.2" of "apache/rocketmq:5.3.2"), or undefined when it has none. */
export function imageTag(reference: string): string | undefined {
    return imageReferencePattern.exec(reference)?.[1];
}
