import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends keyed messages (key "m-<n>", n from 0) to a topic one after another, a pause between them,
 * until a line STOP (or the end) of stdin, as an application does while its cluster is upgraded.
 * A send that fails (an exception, or a status other than SEND_OK) is retried, the same message
 * with the same key, every `retryPauseMs`, for at most `giveUpSeconds`; the next message goes only
 * once it was sent. The client's own retries (retryTimesWhenSendFailed) are immediate and count-bound,
 * so they cannot outlast a single master's restart; this loop can, and every failure it saw is
 * counted. A retry after a timeout may store a message twice: consumers count distinct keys.
 * Prints SENT (messages sent, each exactly one key), FAILED_THEN_RETRIED (failed attempts later
 * retried successfully), GAVE_UP (messages never sent) and LONGEST_SEND_MS (one message, retries included).
 * With an access key and secret key it signs every request as that ACL 2.0 user (a broker with
 * authentication off ignores the signature), so it can send through auth being turned on or off.
 * Usage: nameServer topic pauseMs retryPauseMs giveUpSeconds [accessKey secretKey]
 */
public class SteadyProducer {
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
        long pauseMs = Long.parseLong(args[2]);
        long retryPauseMs = Long.parseLong(args[3]);
        long giveUpMs = Long.parseLong(args[4]) * 1000;
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

        DefaultMQProducer producer = args.length > 6
            ? new DefaultMQProducer("steady_producer_" + System.nanoTime(), new AclClientRPCHook(new SessionCredentials(args[5], args[6])))
            : new DefaultMQProducer("steady_producer_" + System.nanoTime());
        producer.setNamesrvAddr(nameServer);
        // Route lookups wait up to 15 s (the client's default is 3): on a loaded machine a name server
        // answering late is slow, not gone.
        producer.setMqClientApiTimeout(15000);
        producer.setSendMsgTimeout(3000);
        // A restarted broker comes back on a new pod IP: learn routes every second, not every 30 s.
        producer.setPollNameServerInterval(1000);
        producer.start();
        int sent = 0;
        int failedThenRetried = 0;
        int gaveUp = 0;
        long longestSendMs = 0;
        int failuresPrinted = 0;
        try {
            while (!stop.get()) {
                Message message = new Message(topic, "tag", "m-" + sent, ("message " + sent).getBytes(StandardCharsets.UTF_8));
                long begin = System.currentTimeMillis();
                int failures = 0;
                boolean done = false;
                while (!done) {
                    String failure;
                    try {
                        SendResult result = producer.send(message);
                        done = result.getSendStatus() == SendStatus.SEND_OK;
                        failure = "status " + result.getSendStatus();
                    } catch (Exception e) {
                        failure = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).split("\n")[0];
                    }
                    if (done) break;
                    failures++;
                    long elapsed = System.currentTimeMillis() - begin;
                    if (failuresPrinted < 10) {
                        failuresPrinted++;
                        System.err.println("send of m-" + sent + " failed after " + elapsed + " ms (retrying): " + failure);
                    }
                    if (elapsed > giveUpMs) break;
                    Thread.sleep(retryPauseMs);
                }
                longestSendMs = Math.max(longestSendMs, System.currentTimeMillis() - begin);
                if (!done) {
                    gaveUp++;
                    break;
                }
                failedThenRetried += failures;
                sent++;
                Thread.sleep(pauseMs);
            }
        } finally {
            producer.shutdown();
        }
        System.out.println("SENT " + sent);
        System.out.println("FAILED_THEN_RETRIED " + failedThenRetried);
        System.out.println("GAVE_UP " + gaveUp);
        System.out.println("LONGEST_SEND_MS " + longestSendMs);
        System.exit(gaveUp == 0 ? 0 : 3);
    }
}
