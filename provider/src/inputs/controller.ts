// The controller input of RocketMQCluster (RIP-44): whether each broker group elects its master by
// itself, and where the controllers run. The rules that tie it to the brokers' inputs live here too.
import { z } from "zod";
import { defaultRocketMQImage, imageTag } from "./images";
import { imageReferenceSchema } from "./images";
import { imagePullPolicies, persistentVolumeClaimSchema, resourceRequirementsSchema } from "./kube";
import { MiB, memorySizeSchema } from "./quantities";
import { podDisruptionBudgetSchema } from "./disruptionBudget";

export const controllerModes = ["none", "embedded", "standalone"] as const;
export type ControllerMode = (typeof controllerModes)[number];
export const controllerStorageModes = ["StorageClass", "EmptyDir", "HostPath"] as const;
export const maxControllers = 9;

/** The first release whose brokers and name servers carry the controller; 5.1.2 broke controller mode (apache/rocketmq #6926). */
export const firstVersionWithController = [5, 0, 0] as const;
export const brokenControllerVersions = ["5.1.2"];

/**
 * Releases whose replicas' metadata round fails on a topic with attributes (message.type FIFO,
 * DELAY, TRANSACTION, NORMAL) that is new to them, leaving them without the master's topics: a
 * replica elected then lacks every one of them, with or without attributes (apache/rocketmq #9403,
 * fixed by #9404 in 5.4.0). tests/integration/controllerFailover.test.ts checks each release.
 */
export const releasesLosingTopicsOnSwitch = ["5.3.2", "5.3.3"];

/** What a controller-mode cluster of `image`'s release loses on a master switch, as a warning; undefined when nothing known. */
export function controllerReleaseWarning(image: string): string | undefined {
    const version = /^(\d+\.\d+\.\d+)/.exec(imageTag(image) ?? "")?.[1];
    if (version === undefined || !releasesLosingTopicsOnSwitch.includes(version)) return undefined;
    return `RocketMQ ${version} can lose topics on a master switch: its replicas fail to copy the master's topics while one with attributes ` +
        `(a message.type such as FIFO) is new to them (apache/rocketmq#9404, fixed in 5.4.0), and a replica elected then lacks them and their messages. ` +
        `Use ${imageTag(defaultRocketMQImage)} (${defaultRocketMQImage}) for controller mode`;
}

function enumOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: `must be one of ${values.join(", ")}` });
}

export const controllerSpecSchema = z.strictObject({
    mode: enumOf(controllerModes).default("none"),
    size: z.int({ error: `size must be a whole odd number from 1 to ${maxControllers}` })
        .min(1, { error: `size must be a whole odd number from 1 to ${maxControllers}` })
        .max(maxControllers, { error: `size must be a whole odd number from 1 to ${maxControllers}` })
        .refine((size) => size % 2 === 1, { error: "size must be odd: a Raft group of an even size survives no more failures than one of a size one smaller" })
        .default(3),
    // No default here: the controllers run the brokers' image unless told otherwise.
    image: imageReferenceSchema.optional(),
    imagePullPolicy: enumOf(imagePullPolicies).default("IfNotPresent"),
    resources: resourceRequirementsSchema.optional(),
    jvmMemory: z.strictObject({ heap: memorySizeSchema(64 * MiB).optional(), youngGeneration: memorySizeSchema(16 * MiB).optional() }).optional(),
    storageMode: enumOf(controllerStorageModes).default("StorageClass"),
    hostPath: z.string({ error: "must be a string" }).startsWith("/", { error: "hostPath must be an absolute path" }).optional(),
    volumeClaimTemplates: z.array(persistentVolumeClaimSchema).optional(),
    podDisruptionBudget: podDisruptionBudgetSchema,
}).superRefine((controller, ctx) => {
    if (controller.storageMode === "HostPath" && controller.hostPath === undefined) {
        ctx.addIssue({ code: "custom", path: ["hostPath"], message: "hostPath is required when storageMode is HostPath" });
    }
});

/** How many of `size` Raft peers may be away while a majority (floor(size/2)+1) still elects: 0 for 1, 1 for 3, 2 for 5. */
export function controllersAwayKeepingMajority(size: number): number {
    return size - (Math.floor(size / 2) + 1);
}

/** Whether an image's RocketMQ release runs controller mode; undefined when its tag is no version. */
export function imageRunsControllerMode(image: string): boolean | undefined {
    const tag = imageTag(image) ?? "";
    const version = /^(\d+)\.(\d+)\.(\d+)/.exec(tag)?.slice(1).map(Number);
    if (!version) return undefined;
    if (brokenControllerVersions.includes(version.join("."))) return false;
    return version[0] >= firstVersionWithController[0];
}

interface ControllerRuleInputs {
    controller?: { mode?: string; image?: string };
    broker?: { image?: string; replicaPerGroup?: number; brokerConfig?: { brokerRole?: string } };
    tls?: { mode?: string };
}

/** Rules between the controller and the brokers' inputs. */
export function checkControllerRules(args: ControllerRuleInputs, ctx: z.RefinementCtx) {
    const mode = args.controller?.mode ?? "none";
    if (mode === "none") return;
    for (const [path, image] of [[["broker", "image"], args.broker?.image], [["controller", "image"], args.controller?.image]] as const) {
        if (typeof image === "string" && imageRunsControllerMode(image) === false) {
            ctx.addIssue({
                code: "custom",
                path: [...path],
                message: `controller.mode ${mode} needs RocketMQ 5.x brokers and controllers (not ${brokenControllerVersions.join(", ")}, which broke controller mode): ${image} does not run it`,
            });
        }
    }
    // The standalone controllers' pods get no certificate, while brokers of an enforcing cluster
    // would open TLS to them; embedded controllers share the name servers' TLS.
    if (mode === "standalone" && args.tls?.mode !== undefined && args.tls.mode !== "disabled") {
        ctx.addIssue({
            code: "custom",
            path: ["tls", "mode"],
            message: `${args.tls.mode} is not supported with controller.mode standalone yet: the controllers would not speak TLS; use controller.mode embedded, whose controllers run in the name servers and share their TLS`,
        });
    }
    if (args.broker?.brokerConfig?.brokerRole !== undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["broker", "brokerConfig", "brokerRole"],
            message: `with controller.mode ${mode} the controller decides which broker is master: leave brokerRole unset (a send is acknowledged once every in-sync replica has it: allAckInSyncStateSet is true unless broker.brokerConfig.properties sets it)`,
        });
    }
}
