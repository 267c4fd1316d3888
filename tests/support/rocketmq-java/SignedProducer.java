import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import java.nio.charset.StandardCharsets;

/**
 * Sends N messages to a topic as an ACL user, with the real RocketMQ producer and its ACL RPC hook.
 * Message i carries the key "m-<firstKey + i>" (firstKey 0 unless given).
 * Usage: nameServer topic count accessKey secretKey [firstKey]. Prints "SENT n", or "REFUSED <code> <message>"
 * and exits 3 when a broker refuses the send.
 */
public class SignedProducer {
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
        int firstKey = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        AclClientRPCHook hook = new AclClientRPCHook(new SessionCredentials(args[3], args[4]));
        DefaultMQProducer producer = new DefaultMQProducer("signed_producer_" + System.nanoTime(), hook);
        producer.setNamesrvAddr(nameServer);
        producer.setMqClientApiTimeout(15000);
        producer.setSendMsgTimeout(10000);
        // A refusal is an answer: no retry on another broker.
        producer.setRetryTimesWhenSendFailed(0);
        producer.start();
        int sent = 0;
        try {
            for (int i = 0; i < count; i++) {
                Message message = new Message(topic, "tag", "m-" + (firstKey + i), ("message " + i).getBytes(StandardCharsets.UTF_8));
                SendResult result;
                try {
                    result = producer.send(message);
                } catch (Exception e) {
                    // The producer wraps the broker's answer in an MQClientException.
                    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                        if (cause instanceof MQBrokerException) {
                            MQBrokerException refusal = (MQBrokerException) cause;
                            System.out.println("REFUSED " + refusal.getResponseCode() + " " + refusal.getErrorMessage());
                            System.exit(3);
                        }
                    }
                    throw e;
                }
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
