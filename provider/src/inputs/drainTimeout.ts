// How long a scale-down waits for consumers: BrokerScaling's drainTimeoutSeconds, and RocketMQCluster's
// broker.drainTimeoutSeconds, which it passes on.
import { z } from "zod";

export const defaultDrainTimeoutSeconds = 600;
export const maxDrainTimeoutSeconds = 86400;

const rule = `drainTimeoutSeconds must be a whole number from 1 to ${maxDrainTimeoutSeconds}`;

export const drainTimeoutSecondsSchema = z.int({ error: rule }).min(1, { error: rule }).max(maxDrainTimeoutSeconds, { error: rule }).default(defaultDrainTimeoutSeconds);
