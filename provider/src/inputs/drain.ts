// What a scale-down's drain may do: how long it waits for consumers, and whether messages no consumer
// group reads may go with the removed groups. BrokerScaling's inputs, and RocketMQCluster's broker.*
// of the same names, which it passes on.
import { z } from "zod";

export const defaultDrainTimeoutSeconds = 600;
export const maxDrainTimeoutSeconds = 86400;

const rule = `drainTimeoutSeconds must be a whole number from 1 to ${maxDrainTimeoutSeconds}`;

export const drainTimeoutSecondsSchema = z.int({ error: rule }).min(1, { error: rule }).max(maxDrainTimeoutSeconds, { error: rule }).default(defaultDrainTimeoutSeconds);

export const allowDroppingUnreadMessagesSchema = z.boolean({ error: "must be true or false" }).default(false);
