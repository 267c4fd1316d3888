import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Consumes a topic with the real RocketMQ push consumer until `expected` messages arrived, then
 * shuts down (which commits the group's offsets to the broker).
 * Usage: nameServer group topic expected timeoutSeconds
 */
public class TestConsumer {
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
        AtomicInteger received = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
        consumer.setNamesrvAddr(nameServer);
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
            if (received.addAndGet(messages.size()) >= expected) {
                done.countDown();
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        boolean all = done.await(timeoutSeconds, TimeUnit.SECONDS);
        // Give the last acknowledgements a moment to reach the offset store before shutdown persists it.
        Thread.sleep(500);
        consumer.shutdown();
        System.out.println("CONSUMED " + received.get());
        System.exit(all ? 0 : 2);
    }
}
