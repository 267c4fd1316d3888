// The broker.conf of each broker of a group: the provider's keys (identity, name servers, store),
// then the user's typed keys, then the user's other keys. brokerIP1 is appended by the container
// at start, from the pod IP. Settings whose value is secret are rendered apart, for a Secret.
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { isSecretInput } from "../inputs/nature";
import { imageTag } from "../inputs/images";
import { derive } from "./derive";
import { ports } from "./names";
import { metricsPort } from "../inputs/metrics";

export const brokerStoreDir = "/home/rocketmq/store";

export interface UserBrokerConfig {
    deleteWhen?: string;
    fileReservedTime?: number;
    flushDiskType?: string;
    brokerRole?: string;
    properties?: Record<string, string>;
}

/** brokerConfig as the component has it: the whole, any field, or any property may be an Output. */
export type UserBrokerConfigInputs = pulumi.Input<UserBrokerConfig> | {
    [K in keyof UserBrokerConfig]?: K extends "properties"
        ? pulumi.Input<Record<string, pulumi.Input<string>>>
        : pulumi.Input<UserBrokerConfig[K]>;
};

export interface BrokerIdentity {
    clusterName: pulumi.Input<string>;
    brokerName: string;
    /** 0 for the master, 1..n for replicas. */
    brokerId: number;
    namesrvAddr: pulumi.Input<string>;
    /** updateNameServerAddrPeriod to render, when the broker's version reads it. */
    nameServerListRefreshMs?: pulumi.Input<number | undefined>;
    /** Whether the broker exports Prometheus metrics (on metricsPort, bound to brokerIP1, the pod IP). */
    prometheusExporter?: pulumi.Input<boolean>;
    /** The controllers (`host:port;...`) with a controller: the broker runs in controller mode and the controller assigns its id and role. */
    controllerAddr?: pulumi.Input<string | undefined>;
}

/** Where a controller-mode broker keeps the id the controller gave it and its epochs: on the store volume, with the log they describe. */
export const brokerIdentityFile = `${brokerStoreDir}/brokerIdentity`;
export const brokerEpochFile = `${brokerStoreDir}/epochFileCheckpoint`;

export interface RenderedBrokerConfig {
    /** broker.conf without the secret settings: goes in the group's ConfigMap. */
    plain: pulumi.Input<string>;
    /** The secret settings, in broker.conf form; undefined when none is secret. Goes in the group's Secret. */
    secret?: pulumi.Output<string>;
}

type Entry = [string, pulumi.Input<string | number | undefined>];

/** Keys the provider renders besides the identity's: `plain` ones in the ConfigMap, `secret` ones always in the Secret. */
export interface ProviderConfigEntries {
    plain: Entry[];
    secret: Entry[];
}

export function renderBrokerConfig(identity: BrokerIdentity, user: UserBrokerConfigInputs | undefined, extra: ProviderConfigEntries = { plain: [], secret: [] }): RenderedBrokerConfig {
    const isMaster = identity.brokerId === 0;
    // An Output config lifts its fields, so config.deleteWhen is an Output of that field.
    const config = (user ?? {}) as { [K in keyof UserBrokerConfig]?: pulumi.Input<UserBrokerConfig[K]> };
    // In controller mode every broker starts as a replica with no id: the controller gives it one
    // (kept in brokerIdentity) and elects the master among the group's in-sync replicas.
    const controllerAddr = identity.controllerAddr;
    const controlled = (known: string | undefined) => known !== undefined;
    const entries: Entry[] = [
        ["brokerClusterName", identity.clusterName],
        ["brokerName", identity.brokerName],
        ["brokerId", derive(controllerAddr, (known) => (controlled(known) ? -1 : identity.brokerId))],
        ["brokerRole", derive([controllerAddr, isMaster ? brokerRoleOf(config.brokerRole) : "SLAVE"] as const, ([known, role]) => (controlled(known) ? "SLAVE" : role))],
        ["enableControllerMode", derive(controllerAddr, (known) => (controlled(known) ? "true" : undefined))],
        ["controllerAddr", controllerAddr],
        ["storePathBrokerIdentity", derive(controllerAddr, (known) => (controlled(known) ? brokerIdentityFile : undefined))],
        ["storePathEpochFile", derive(controllerAddr, (known) => (controlled(known) ? brokerEpochFile : undefined))],
        // A send is acknowledged once every in-sync replica has it, so an elected replica lacks no
        // acknowledged message (RocketMQ's default acknowledges on the master alone). A user's
        // properties come later in the file and win.
        ["allAckInSyncStateSet", derive(controllerAddr, (known) => (controlled(known) ? "true" : undefined))],
        ["namesrvAddr", identity.namesrvAddr],
        ["updateNameServerAddrPeriod", identity.nameServerListRefreshMs],
        ["listenPort", ports.broker],
        ["metricsExporterType", derive(identity.prometheusExporter, (on) => (on ? "PROM" : undefined))],
        ["metricsPromExporterPort", derive(identity.prometheusExporter, (on) => (on ? metricsPort : undefined))],
        ["storePathRootDir", brokerStoreDir],
        ["deleteWhen", config.deleteWhen],
        ["fileReservedTime", config.fileReservedTime],
        ["flushDiskType", config.flushDiskType],
        ...extra.plain,
    ];
    const lines = entries.map(([key, value]) => ({ secret: isSecretInput(value), text: derive(value, (known) => line(key, known)) }));
    lines.push(...extra.secret.map(([key, value]) => ({ secret: true, text: derive(value, (known) => line(key, known)) })));
    const properties = config.properties;
    if (properties !== undefined && !pulumi.Output.isInstance(properties)) {
        const sorted = Object.entries(properties as Record<string, pulumi.Input<string>>).sort(([a], [b]) => a.localeCompare(b));
        lines.push(...sorted.map(([key, value]) => ({ secret: isSecretInput(value), text: derive(value, (known) => line(key, known)) })));
    } else if (properties !== undefined) {
        // Not known yet as a whole: its keys are rendered when it is.
        lines.push({
            secret: isSecretInput(properties),
            text: properties.apply((known) => Object.entries(known ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => line(key, value)).join("")),
        });
    }
    const join = (part: typeof lines) => derive(part.map((entry) => entry.text), (texts) => texts.join(""));
    const secretLines = lines.filter((entry) => entry.secret);
    return {
        plain: join(lines.filter((entry) => !entry.secret)),
        secret: secretLines.length > 0 ? pulumi.secret(join(secretLines)) : undefined,
    };
}

/**
 * How often (ms) a broker re-reads namesrvAddr, so a list pushed at run time is in use within
 * seconds instead of the 120 s default. Brokers read the setting from broker.conf from RocketMQ
 * 5.3.1 on; for older versions, and images whose tag is no version, nothing is rendered.
 */
export const nameServerListRefreshMs = 10_000;
const firstVersionReadingRefresh = [5, 3, 1];

export function nameServerListRefreshFor(image: pulumi.Input<string>): pulumi.Input<number | undefined> {
    return derive(image, (reference) => {
        const version = /^(\d+)\.(\d+)\.(\d+)/.exec(imageTag(reference) ?? "")?.slice(1).map(Number);
        if (!version) return undefined;
        const index = version.findIndex((part, i) => part !== firstVersionReadingRefresh[i]);
        return index === -1 || version[index] > firstVersionReadingRefresh[index] ? nameServerListRefreshMs : undefined;
    });
}

function brokerRoleOf(role: pulumi.Input<string | undefined>): pulumi.Input<string> {
    return derive(role, (known) => known ?? "ASYNC_MASTER");
}

function line(key: string, value: string | number | undefined): string {
    return value === undefined ? "" : `${key}=${value}\n`;
}

/** Key in the group's ConfigMap of one broker's config. */
export function configKeyOf(brokerId: number): string {
    return brokerId === 0 ? "master.conf" : `replica-${brokerId}.conf`;
}

export function configChecksum(text: pulumi.Input<string>): pulumi.Input<string> {
    return derive(text, (known) => createHash("sha256").update(known).digest("hex"));
}
