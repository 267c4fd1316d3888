// A RocketMQ 5 gRPC client (org.apache.rocketmq:rocketmq-client-java) that talks to a proxy.
//   produce <endpoint> <topic> <tag> <count> <messageGroups>
//     sends <count> messages, keys <tag>-<topic>-<i>; with messageGroups > 0 message i goes to
//     group g<i % messageGroups> with body <group>:<position in its group>, sent one after another.
//     Prints SENT <n>.
//   consume <endpoint> <consumerGroup> <topic> <tag> <count> <timeoutSeconds>
//     a push consumer that runs until it received <count> distinct keys or the timeout. Prints
//     CONSUMED <distinct keys> and OUT_OF_ORDER <n>: the messages of a group received first out of
//     their sending order. Exits 0 only when every message came.
//   produce-until-stop <endpoint> <topic> <tag> <pauseMs> <retryPauseMs> <giveUpSeconds> <progressFile>
//     sends keyed messages (keys <tag>-<topic>-<i>) one after another until a line STOP on stdin,
//     while a broker is killed. A failed send is retried, same key, every retryPauseMs for at most
//     giveUpSeconds. Each acknowledged send prints ACK <key> <epoch ms> <broker group>, and the count
//     of acknowledged sends is written to progressFile. Prints SENT, FAILED_THEN_RETRIED, GAVE_UP;
//     exits 4 when a send gave up.
// ROCKETMQ_ACCESS_KEY and ROCKETMQ_SECRET_KEY in the environment, when set, sign every request
// (ACL 2.0). A request the proxy refuses (unauthenticated or forbidden) prints
// REFUSED <exception> <message> and exits 3.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientConfigurationBuilder;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.StaticSessionCredentialsProvider;
import org.apache.rocketmq.client.apis.consumer.ConsumeResult;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.FilterExpressionType;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;
import org.apache.rocketmq.client.apis.message.MessageBuilder;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.java.exception.ForbiddenException;
import org.apache.rocketmq.client.java.exception.UnauthorizedException;
import org.apache.rocketmq.client.apis.producer.SendReceipt;
import org.apache.rocketmq.client.java.impl.producer.SendReceiptImpl;

public class GrpcClient {
    public static void main(String[] args) throws Exception {
        ClientServiceProvider provider = ClientServiceProvider.loadService();
        // The proxy serves plaintext and TLS on one port; the Node.js client speaks plaintext too.
        ClientConfigurationBuilder builder = ClientConfiguration.newBuilder().setEndpoints(args[1]).enableSsl(false)
            .setRequestTimeout(Duration.ofSeconds(10));
        String accessKey = System.getenv("ROCKETMQ_ACCESS_KEY");
        if (accessKey != null) builder.setCredentialProvider(new StaticSessionCredentialsProvider(accessKey, System.getenv("ROCKETMQ_SECRET_KEY")));
        ClientConfiguration config = builder.build();
        try {
            if (args[0].equals("produce-until-stop")) {
                int gaveUp = produceUntilStop(provider, config, args[2], args[3], Long.parseLong(args[4]), Long.parseLong(args[5]), Long.parseLong(args[6]) * 1000, args[7]);
                System.exit(gaveUp == 0 ? 0 : 4);
            } else if (args[0].equals("produce")) {
                produce(provider, config, args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            } else {
                boolean complete = consume(provider, config, args[2], args[3], args[4], Integer.parseInt(args[5]), Integer.parseInt(args[6]));
                System.exit(complete ? 0 : 1);
            }
        } catch (Exception e) {
            // The client wraps a refusal met while starting (the route query) in an IllegalStateException.
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof ForbiddenException || cause instanceof UnauthorizedException) {
                    System.out.println("REFUSED " + cause.getClass().getSimpleName() + " " + cause.getMessage());
                    System.exit(3);
                }
            }
            throw e;
        }
        System.exit(0);
    }

    static void produce(ClientServiceProvider provider, ClientConfiguration config, String topic, String tag, int count, int groups) throws Exception {
        try (Producer producer = provider.newProducerBuilder().setClientConfiguration(config).setTopics(topic).build()) {
            int sent = 0;
            for (int i = 0; i < count; i++) {
                MessageBuilder message = provider.newMessageBuilder().setTopic(topic).setTag(tag).setKeys(tag + "-" + topic + "-" + i);
                String body = "m:" + i;
                if (groups > 0) {
                    String group = "g" + (i % groups);
                    message.setMessageGroup(group);
                    body = group + ":" + (i / groups);
                }
                producer.send(message.setBody(body.getBytes(StandardCharsets.UTF_8)).build());
                sent++;
            }
            System.out.println("SENT " + sent);
        }
    }

    static int produceUntilStop(ClientServiceProvider provider, ClientConfiguration config, String topic, String tag, long pauseMs, long retryPauseMs, long giveUpMs, String progressFile) throws Exception {
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
        int sent = 0;
        int failedThenRetried = 0;
        int gaveUp = 0;
        int failuresPrinted = 0;
        try (Producer producer = provider.newProducerBuilder().setClientConfiguration(config).setTopics(topic).build()) {
            while (!stop.get()) {
                String key = tag + "-" + topic + "-" + sent;
                long begin = System.currentTimeMillis();
                boolean done = false;
                int failures = 0;
                while (!done) {
                    try {
                        SendReceipt receipt = producer.send(provider.newMessageBuilder().setTopic(topic).setTag(tag).setKeys(key)
                            .setBody(("m:" + sent).getBytes(StandardCharsets.UTF_8)).build());
                        done = true;
                        System.out.println("ACK " + key + " " + System.currentTimeMillis() + " " + ((SendReceiptImpl) receipt).getMessageQueue().getBroker().getName());
                    } catch (Exception e) {
                        failures++;
                        if (failuresPrinted++ < 20) System.err.println("send of " + key + " failed (retrying): " + String.valueOf(e.getMessage()).split("\n")[0]);
                        if (System.currentTimeMillis() - begin > giveUpMs) break;
                        Thread.sleep(retryPauseMs);
                    }
                }
                if (!done) {
                    gaveUp++;
                    break;
                }
                failedThenRetried += failures;
                sent++;
                Files.write(Paths.get(progressFile), String.valueOf(sent).getBytes(StandardCharsets.UTF_8));
                Thread.sleep(pauseMs);
            }
        }
        System.out.println("SENT " + sent);
        System.out.println("FAILED_THEN_RETRIED " + failedThenRetried);
        System.out.println("GAVE_UP " + gaveUp);
        return gaveUp;
    }

    static boolean consume(ClientServiceProvider provider, ClientConfiguration config, String consumerGroup, String topic, String tag, int count, int timeoutSeconds) throws Exception {
        Set<String> keys = ConcurrentHashMap.newKeySet();
        Map<String, Integer> nextPosition = new HashMap<>();
        int[] outOfOrder = {0};
        PushConsumer consumer = provider.newPushConsumerBuilder().setClientConfiguration(config).setConsumerGroup(consumerGroup)
            .setSubscriptionExpressions(Collections.singletonMap(topic, new FilterExpression(tag, FilterExpressionType.TAG)))
            .setMessageListener(view -> {
                String key = view.getKeys().iterator().next();
                String body = StandardCharsets.UTF_8.decode(view.getBody()).toString();
                synchronized (nextPosition) {
                    if (keys.add(key) && view.getMessageGroup().isPresent()) {
                        String group = view.getMessageGroup().get();
                        int position = Integer.parseInt(body.substring(body.indexOf(':') + 1));
                        if (position != nextPosition.getOrDefault(group, 0)) outOfOrder[0]++;
                        nextPosition.put(group, position + 1);
                    }
                }
                return ConsumeResult.SUCCESS;
            })
            .build();
        long deadline = System.currentTimeMillis() + timeoutSeconds * 1000L;
        while (keys.size() < count && System.currentTimeMillis() < deadline) Thread.sleep(200);
        consumer.close();
        System.out.println("CONSUMED " + keys.size());
        System.out.println("OUT_OF_ORDER " + outOfOrder[0]);
        return keys.size() == count;
    }
}
