import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.store.OffsetStore;
import org.apache.rocketmq.client.consumer.store.ReadOffsetType;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Consumes a topic with the real RocketMQ push consumer until `expected` distinct messages arrived,
 * then commits the group's offsets to the brokers synchronously and shuts down. The push consumer
 * itself commits only one way (periodically and at shutdown, with no reply), so without the
 * synchronous commit a broker could still report lag after this program said it consumed all.
 * Prints CONSUMED (distinct messages), DUPLICATES (redeliveries) and COMMITTED (queues whose offset
 * the brokers acknowledged).
 * Usage: nameServer group topic expected timeoutSeconds
 */
public class TestConsumer {
    // ResponseCode's class moved package between 4.x and 5.x; the codes did not.
    private static final int TOPIC_NOT_EXIST = 17;
    private static final int SUBSCRIPTION_GROUP_NOT_EXIST = 26;

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        String nameServer = args[0];
        String group = args[1];
        String topic = args[2];
        int expected = Integer.parseInt(args[3]);
        int timeoutSeconds = Integer.parseInt(args[4]);
        Set<String> distinct = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
        consumer.setNamesrvAddr(nameServer);
        // Route lookups wait up to 15 s (the client's default is 3): on a loaded machine a name server
        // answering late is slow, not gone.
        consumer.setMqClientApiTimeout(15000);
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
            for (MessageExt message : messages) {
                if (!distinct.add(message.getMsgId())) duplicates.incrementAndGet();
            }
            if (distinct.size() >= expected) done.countDown();
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        boolean all = done.await(timeoutSeconds, TimeUnit.SECONDS);
        // The listener has returned for every counted message once the offsets stop moving.
        Thread.sleep(500);
        int committed = commitOffsets(consumer);
        consumer.shutdown();
        System.out.println("CONSUMED " + distinct.size());
        System.out.println("DUPLICATES " + duplicates.get());
        System.out.println("COMMITTED " + committed);
        System.exit(all ? 0 : 2);
    }

    /** Sends the consumed offset of every queue this consumer holds to its broker, waiting for each reply. */
    private static int commitOffsets(DefaultMQPushConsumer consumer) throws Exception {
        OffsetStore store = consumer.getDefaultMQPushConsumerImpl().getOffsetStore();
        int committed = 0;
        for (MessageQueue queue : consumer.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().keySet()) {
            long offset = store.readOffset(queue, ReadOffsetType.READ_FROM_MEMORY);
            if (offset < 0) continue;
            try {
                store.updateConsumeOffsetToBroker(queue, offset, false);
            } catch (MQBrokerException e) {
                // A broker the topic and group were moved off (a finished move deleted both there) keeps no
                // offset for them, while this consumer's routes can still list that broker for a while.
                int code = e.getResponseCode();
                if (code == SUBSCRIPTION_GROUP_NOT_EXIST || code == TOPIC_NOT_EXIST) continue;
                throw e;
            }
            committed++;
        }
        return committed;
    }
}
