import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.rebalance.AllocateMessageQueueAveragely;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Consumes a topic with the real push consumer from its first offset, counting distinct message
 * keys, until a line "EXPECT <n>" on stdin and then n distinct keys (or the drain timeout).
 * Prints CONSUMED (distinct keys), DUPLICATES (deliveries of a key already seen) and
 * OUT_OF_RANGE (keys other than m-0 .. m-<n-1>). Exits 0 when every expected key arrived.
 * With an access key and secret key it signs every request as that ACL 2.0 user.
 * Usage: nameServer group topic drainTimeoutSeconds [accessKey secretKey]
 */
public class DrainingConsumer {
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
        long drainTimeoutMs = Long.parseLong(args[3]) * 1000;
        Set<String> keys = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        DefaultMQPushConsumer consumer = args.length > 5
            ? new DefaultMQPushConsumer(group, new AclClientRPCHook(new SessionCredentials(args[4], args[5])), new AllocateMessageQueueAveragely())
            : new DefaultMQPushConsumer(group);
        consumer.setNamesrvAddr(nameServer);
        // Route lookups wait up to 15 s (the client's default is 3): on a loaded machine a name server
        // answering late is slow, not gone.
        consumer.setMqClientApiTimeout(15000);
        // A restarted broker comes back on a new pod IP: learn routes every second, not every 30 s.
        consumer.setPollNameServerInterval(1000);
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
            for (MessageExt message : messages) {
                if (!keys.add(message.getKeys())) duplicates.incrementAndGet();
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();

        int expected = -1;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("EXPECT ")) {
                    expected = Integer.parseInt(line.substring(7).trim());
                    break;
                }
            }
        }
        long deadline = System.currentTimeMillis() + drainTimeoutMs;
        while (expected >= 0 && keys.size() < expected && System.currentTimeMillis() < deadline) Thread.sleep(200);
        consumer.shutdown();
        int outOfRange = 0;
        for (String key : keys) {
            int n = key != null && key.startsWith("m-") ? Integer.parseInt(key.substring(2)) : -1;
            if (n < 0 || n >= expected) outOfRange++;
        }
        System.out.println("CONSUMED " + keys.size());
        System.out.println("DUPLICATES " + duplicates.get());
        System.out.println("OUT_OF_RANGE " + outOfRange);
        System.exit(expected >= 0 && keys.size() >= expected && outOfRange == 0 ? 0 : 2);
    }
}
