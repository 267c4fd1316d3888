import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import java.nio.charset.StandardCharsets;

/** Sends N messages to a topic with the real RocketMQ producer. Usage: nameServer topic count */
public class TestProducer {
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
        int count = Integer.parseInt(args[2]);
        DefaultMQProducer producer = new DefaultMQProducer("test_producer_" + System.nanoTime());
        producer.setNamesrvAddr(nameServer);
        // Route lookups wait up to 15 s (the client's default is 3): on a loaded machine a name server
        // answering late is slow, not gone.
        producer.setMqClientApiTimeout(15000);
        producer.setSendMsgTimeout(10000);
        producer.start();
        int sent = 0;
        try {
            for (int i = 0; i < count; i++) {
                Message message = new Message(topic, "tag", ("message " + i).getBytes(StandardCharsets.UTF_8));
                SendResult result = producer.send(message);
                if (result.getSendStatus() != SendStatus.SEND_OK) {
                    throw new IllegalStateException("send " + i + " returned " + result.getSendStatus());
                }
                sent++;
            }
        } finally {
            producer.shutdown();
        }
        System.out.println("SENT " + sent);
        System.exit(0);
    }
}
