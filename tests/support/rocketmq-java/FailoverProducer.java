import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends keyed messages (key "<prefix>-<n>") to the queues of one broker group of a topic, one after
 * another, until a line STOP (or the end) of stdin, while that group's master is killed. A failed
 * send is retried, the same message with the same key, every `retryPauseMs` for at most
 * `giveUpSeconds`. Every acknowledged send prints "ACK <key> <epoch ms> <broker address>", the
 * address being the group's master the client sent to, so a test sees when writes resumed and on
 * which broker; the count of acknowledged sends is also written to `progressFile` after each one,
 * so a test can wait for sends to flow before it kills a broker. Prints SENT, FAILED_THEN_RETRIED,
 * GAVE_UP at the end.
 * Usage: nameServer topic brokerName keyPrefix pauseMs retryPauseMs giveUpSeconds progressFile
 */
public class FailoverProducer {
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
        String topic = args[1];
        String brokerName = args[2];
        String keyPrefix = args[3];
        long pauseMs = Long.parseLong(args[4]);
        long retryPauseMs = Long.parseLong(args[5]);
        long giveUpMs = Long.parseLong(args[6]) * 1000;
        Path progressFile = Paths.get(args[7]);
        AtomicBoolean stop = new AtomicBoolean();
        Thread stdin = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    if (line.trim().equals("STOP")) break;
                }
            } catch (Exception ignored) {
                // stdin gone: stop as well
            }
            stop.set(true);
        });
        stdin.setDaemon(true);
        stdin.start();

        DefaultMQProducer producer = new DefaultMQProducer("failover_producer_" + System.nanoTime());
        producer.setNamesrvAddr(nameServer);
        producer.setMqClientApiTimeout(15000);
        producer.setSendMsgTimeout(3000);
        // The elected master registers under the group's name: learn routes every second, not every 30 s.
        producer.setPollNameServerInterval(1000);
        producer.start();
        int sent = 0;
        int failedThenRetried = 0;
        int gaveUp = 0;
        int failuresPrinted = 0;
        try {
            while (!stop.get()) {
                Message message = new Message(topic, "tag", keyPrefix + "-" + sent, ("message " + sent).getBytes(StandardCharsets.UTF_8));
                long begin = System.currentTimeMillis();
                boolean done = false;
                int failures = 0;
                while (!done) {
                    String failure;
                    try {
                        List<MessageQueue> queues = new ArrayList<>();
                        for (MessageQueue queue : producer.fetchPublishMessageQueues(topic)) {
                            if (queue.getBrokerName().equals(brokerName)) queues.add(queue);
                        }
                        if (queues.isEmpty()) throw new IllegalStateException("no writable queue of " + brokerName);
                        MessageQueue queue = queues.get(sent % queues.size());
                        SendResult result = producer.send(message, queue);
                        done = result.getSendStatus() == SendStatus.SEND_OK;
                        failure = "status " + result.getSendStatus();
                        if (done) {
                            String address = producer.getDefaultMQProducerImpl().getmQClientFactory().findBrokerAddressInPublish(brokerName);
                            System.out.println("ACK " + message.getKeys() + " " + System.currentTimeMillis() + " " + address);
                        }
                    } catch (Exception e) {
                        failure = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).split("\n")[0];
                    }
                    if (done) break;
                    failures++;
                    long elapsed = System.currentTimeMillis() - begin;
                    if (failuresPrinted < 20) {
                        failuresPrinted++;
                        System.err.println("send of " + message.getKeys() + " failed after " + elapsed + " ms (retrying): " + failure);
                    }
                    if (elapsed > giveUpMs) break;
                    Thread.sleep(retryPauseMs);
                }
                if (!done) {
                    gaveUp++;
                    break;
                }
                failedThenRetried += failures;
                sent++;
                Files.write(progressFile, String.valueOf(sent).getBytes(StandardCharsets.UTF_8));
                Thread.sleep(pauseMs);
            }
        } finally {
            producer.shutdown();
        }
        System.out.println("SENT " + sent);
        System.out.println("FAILED_THEN_RETRIED " + failedThenRetried);
        System.out.println("GAVE_UP " + gaveUp);
        System.exit(gaveUp == 0 ? 0 : 3);
    }
}
