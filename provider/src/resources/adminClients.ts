// How Topic and ConsumerGroup reach RocketMQ: one factory, so how a connection is opened (direct
// TCP today) changes in one place. Tests substitute their own.
import { RocketMQAdminClient } from "../admin/client";

export interface AdminConnectionInputs {
    nameServerAddresses: string;
}

export interface AdminClientFactory {
    open(inputs: AdminConnectionInputs): RocketMQAdminClient;
}

export const directAdminClients: AdminClientFactory = {
    open: (inputs) => new RocketMQAdminClient({ nameServers: inputs.nameServerAddresses }),
};

export async function withAdmin<T>(factory: AdminClientFactory, inputs: AdminConnectionInputs, work: (client: RocketMQAdminClient) => Promise<T>): Promise<T> {
    const client = factory.open(inputs);
    try {
        return await work(client);
    } finally {
        client.close();
    }
}
