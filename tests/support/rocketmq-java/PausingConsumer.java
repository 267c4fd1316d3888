import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.store.OffsetStore;
import org.apache.rocketmq.client.consumer.store.ReadOffsetType;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A consumer group that falls behind on purpose, staying online: consumes a topic with the real
 * push consumer from its first offset until `expected` distinct messages arrived, commits the
 * group's offsets to the brokers synchronously, then stops consuming (suspended, and any message
 * still delivered is held unconsumed, so the committed offsets stay where they are) while it keeps
 * its heartbeats, until stdin closes. Messages sent after "PAUSED" are the group's lag, exactly.
 * Writes PAUSED <distinct messages consumed> to statusFile once paused (and prints it).
 * Usage: nameServer group topic expected timeoutSeconds statusFile
 */
public class PausingConsumer {
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
        java.nio.file.Path statusFile = java.nio.file.Paths.get(args[5]);
        Set<String> distinct = ConcurrentHashMap.newKeySet();
        CountDownLatch enough = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
        consumer.setNamesrvAddr(nameServer);
        consumer.setMqClientApiTimeout(15000);
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.setConsumeMessageBatchMaxSize(1);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
            if (enough.getCount() == 0) {
                // Paused: hold the message unconsumed until the program ends, so its offset is never committed.
                try {
                    stop.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return ConsumeConcurrentlyStatus.RECONSUME_LATER;
            }
            for (MessageExt message : messages) distinct.add(message.getMsgId());
            if (distinct.size() >= expected) enough.countDown();
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        if (!enough.await(timeoutSeconds, TimeUnit.SECONDS)) {
            System.out.println("CONSUMED " + distinct.size());
            System.exit(2);
        }
        consumer.suspend();
        // The listener has returned for every counted message once the offsets stop moving.
        Thread.sleep(500);
        OffsetStore store = consumer.getDefaultMQPushConsumerImpl().getOffsetStore();
        for (MessageQueue queue : consumer.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().keySet()) {
            long offset = store.readOffset(queue, ReadOffsetType.READ_FROM_MEMORY);
            if (offset >= 0) store.updateConsumeOffsetToBroker(queue, offset, false);
        }
        System.out.println("PAUSED " + distinct.size());
        System.out.flush();
        java.nio.file.Files.write(statusFile, ("PAUSED " + distinct.size() + "\n").getBytes(StandardCharsets.UTF_8));
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (stdin.readLine() != null) {
            // Runs until stdin closes.
        }
        stop.countDown();
        consumer.shutdown();
        System.exit(0);
    }
}
