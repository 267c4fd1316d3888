// Which controller.mode changes of a running cluster are refused. A broker group's store carries
// its role history: with a controller, any pod of the group may be master now and its brokers keep
// the controller's id (brokerIdentity) and the epochs of their log (epochFileCheckpoint). Moving an
// existing group between modes restarts its brokers one at a time into the other mode, and RocketMQ
// then makes a master of whichever broker comes first, whatever its log lacks: acknowledged messages
// of the other brokers are truncated when they rejoin as replicas. So every change is refused;
// a new cluster with the wanted mode and TopicTransfer moves the topics without loss.
import type { ControllerMode } from "./controller";

const reasons: Record<string, string> = {
    "none->controller": "the brokers would restart one at a time into controller mode, replicas first: the first replica to restart " +
        "registers with the controller before its master does and is elected master with only the messages it has, and the old master's " +
        "messages the replica lacks are truncated when it rejoins as a replica",
    "controller->none": "any pod of a group may be its master now; fixed roles make the -master- pod master again, whose log may lack " +
        "messages the elected master acknowledged, and the replicas' epoch files then truncate their logs to it",
    "controller->controller": "the new controllers know nothing of the groups' sync state sets and master epochs the old ones hold, " +
        "so they may elect a broker whose log lacks acknowledged messages",
};

/** Why changing a running cluster's controller.mode from `from` to `to` is refused, or undefined when it does not change. */
export function refusedControllerModeChange(from: ControllerMode, to: ControllerMode): string | undefined {
    if (from === to) return undefined;
    const kind = `${from === "none" ? "none" : "controller"}->${to === "none" ? "none" : "controller"}`;
    return `${from} -> ${to} on a running cluster is refused: ${reasons[kind]}. Keep controller.mode ${from}, ` +
        `or deploy a new cluster with controller.mode ${to} and move the topics to it with TopicTransfer`;
}
