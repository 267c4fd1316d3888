// Standard Kubernetes labels plus the group and role labels tools use to select broker pods.
// Selectors use only labels that never change for a pod's lifetime (not the version).
import * as pulumi from "@pulumi/pulumi";
import { imageTag } from "../inputs/images";
import { derive, mergeRecords } from "./derive";

export type Component = "nameserver" | "broker" | "console" | "proxy" | "controller";

export const groupLabel = "rocketmq/broker-group";
export const roleLabel = "rocketmq/broker-role";
export const brokerNameLabel = "rocketmq/broker-name";

export interface BrokerPodIdentity {
    brokerName: string;
    group: number;
    /** "master", or "replica-<i>" for the i-th replica. */
    role: "master" | `replica-${number}`;
}

export function selectorLabels(instance: string, component: Component, broker?: BrokerPodIdentity): Record<string, string> {
    const labels: Record<string, string> = {
        "app.kubernetes.io/name": "rocketmq",
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/component": component,
    };
    if (broker) {
        labels[brokerNameLabel] = broker.brokerName;
        labels[groupLabel] = String(broker.group);
        labels[roleLabel] = broker.role;
    }
    return labels;
}

/** Every pod of one broker group, master and replicas. */
export function groupSelectorLabels(instance: string, brokerName: string): Record<string, string> {
    return { ...selectorLabels(instance, "broker"), [brokerNameLabel]: brokerName };
}

/** Labels of an object and of its pods: user labels first, so the provider's always win. */
export function objectLabels(
    instance: string,
    component: Component,
    version: pulumi.Input<string | undefined>,
    userLabels: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined,
    broker?: BrokerPodIdentity,
): pulumi.Input<Record<string, pulumi.Input<string>>> {
    const labels: Record<string, string> = {
        ...selectorLabels(instance, component, broker),
        "app.kubernetes.io/part-of": "rocketmq",
        "app.kubernetes.io/managed-by": "pulumi",
    };
    const versionLabel = derive(version, (value): Record<string, string> => value === undefined ? {} : { "app.kubernetes.io/version": value });
    return mergeRecords(userLabels, labels, versionLabel);
}

/** The version label value of an image reference. */
export function imageVersionLabel(image: pulumi.Input<string>): pulumi.Input<string | undefined> {
    return derive(image, (reference) => versionLabelValue(imageTag(reference)));
}

/** A label value made from a Pulumi resource name: at most 63 characters, alphanumeric at both ends. */
export function instanceLabelValue(name: string): string {
    const cleaned = name.replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
    return cleaned === "" ? "rocketmq" : cleaned;
}

/** The image tag as a label value, or undefined for a digest-only reference. */
export function versionLabelValue(tag: string | undefined): string | undefined {
    if (tag === undefined) {
        return undefined;
    }
    const cleaned = tag.slice(0, 63).replace(/[^A-Za-z0-9]+$/g, "");
    return cleaned === "" ? undefined : cleaned;
}
