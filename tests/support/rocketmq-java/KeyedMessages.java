import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keyed messages on several topics, with the real remoting clients.
 * send nameServer count topic...: starts a producer, prints READY, waits for a line on stdin (so a
 *   test sends at a moment of its choosing, not after a JVM start), then sends `count` messages with
 *   keys "<topic>-<n>" to each topic; a send not answered SEND_OK is retried, the same key, for up to
 *   30 s. Prints "ACK <topic> <key>" for each send acknowledged SEND_OK, then SENT (acknowledged sends).
 * consume nameServer group expected timeoutSeconds topic...: one push consumer on every topic from
 *   its first offset until `expected` distinct keys arrived or the timeout; prints "GOT <topic> <key>"
 *   at each key's first delivery, then CONSUMED (distinct keys). Exits 0 when all arrived, else 2.
 */
public class KeyedMessages {
    public static void main(String[] args) {
        try {
            if (args[0].equals("send")) send(args[1], Integer.parseInt(args[2]), Arrays.asList(args).subList(3, args.length));
            else consume(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), Arrays.asList(args).subList(5, args.length));
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void send(String nameServer, int count, List<String> topics) throws Exception {
        DefaultMQProducer producer = new DefaultMQProducer("keyed_producer_" + System.nanoTime());
        producer.setNamesrvAddr(nameServer);
        // On a loaded machine a name server answering late is slow, not gone.
        producer.setMqClientApiTimeout(15000);
        producer.setSendMsgTimeout(5000);
        producer.setRetryTimesWhenSendFailed(0);
        producer.start();
        System.out.println("READY");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        int sent = 0;
        try {
            for (int i = 0; i < count; i++) {
                for (String topic : topics) {
                    String key = topic + "-" + i;
                    Message message = new Message(topic, "tag", key, ("message " + i).getBytes(StandardCharsets.UTF_8));
                    long giveUpAt = System.currentTimeMillis() + 30_000;
                    for (;;) {
                        String failure;
                        try {
                            SendResult result = producer.send(message);
                            if (result.getSendStatus() == SendStatus.SEND_OK) break;
                            failure = "status " + result.getSendStatus();
                        } catch (Exception e) {
                            failure = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).split("\n")[0];
                        }
                        if (System.currentTimeMillis() > giveUpAt) throw new IllegalStateException("send of " + key + " not acknowledged in 30 s: " + failure);
                        System.err.println("send of " + key + " failed (retrying): " + failure);
                        Thread.sleep(200);
                    }
                    System.out.println("ACK " + topic + " " + key);
                    sent++;
                }
            }
        } finally {
            producer.shutdown();
        }
        System.out.println("SENT " + sent);
        System.exit(0);
    }

    private static void consume(String nameServer, String group, int expected, int timeoutSeconds, List<String> topics) throws Exception {
        Set<String> keys = ConcurrentHashMap.newKeySet();
        CountDownLatch done = new CountDownLatch(1);
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
        consumer.setNamesrvAddr(nameServer);
        consumer.setMqClientApiTimeout(15000);
        consumer.setPollNameServerInterval(1000);
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        for (String topic : topics) consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
            for (MessageExt message : messages) {
                if (keys.add(message.getKeys())) System.out.println("GOT " + message.getTopic() + " " + message.getKeys());
            }
            if (keys.size() >= expected) done.countDown();
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        boolean all = done.await(timeoutSeconds, TimeUnit.SECONDS);
        consumer.shutdown();
        System.out.println("CONSUMED " + keys.size());
        System.exit(all ? 0 : 2);
    }
}
