// Which topics a Topic resource manages, kept on the name servers (key/value config, one key per
// topic) so a TopicTransfer, in another stack or program, can refuse to move one behind its back.
import type { RocketMQAdminClient } from "../../admin/client";
import { deleteKvConfigEverywhere, getKvConfigEverywhere, putKvConfigEverywhere } from "../../admin/transferOperations";

export const MANAGED_TOPIC_NAMESPACE = "PULUMI_ROCKETMQ_MANAGED_TOPIC";

/** Records that a Topic resource manages the topic; `where` is its placement, for the refusal's message. */
export async function markManaged(client: RocketMQAdminClient, topic: string, where: string): Promise<void> {
    await putKvConfigEverywhere(client, MANAGED_TOPIC_NAMESPACE, topic, where);
}

export async function unmarkManaged(client: RocketMQAdminClient, topic: string): Promise<void> {
    await deleteKvConfigEverywhere(client, MANAGED_TOPIC_NAMESPACE, topic);
}

/** The placement of the Topic resource that manages the topic, if any name server says one does. */
export async function managedPlacement(client: RocketMQAdminClient, topic: string): Promise<string | undefined> {
    return Object.values(await getKvConfigEverywhere(client, MANAGED_TOPIC_NAMESPACE, topic))[0];
}
