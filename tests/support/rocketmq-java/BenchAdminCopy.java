import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.remoting.protocol.body.SubscriptionGroupWrapper;
import org.apache.rocketmq.remoting.protocol.body.TopicConfigSerializeWrapper;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java side of the metadata-copy benchmark: copies every non-system topic and subscription
 * group from one broker to another with DefaultMQAdminExt, in one JVM.
 * Usage: nameServer sourceAddr targetAddr mode(batch|single) topicBatch groupBatch
 * Prints one line: RESULT {"copyMs":..,"topics":..,"groups":..,"startMs":..}
 */
public class BenchAdminCopy {
    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            // The admin client's threads are not daemons: exit explicitly so a failure ends the JVM.
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        String nameServer = args[0];
        String source = args[1];
        String target = args[2];
        String mode = args[3];
        int topicBatch = Integer.parseInt(args[4]);
        int groupBatch = Integer.parseInt(args[5]);

        long t0 = System.nanoTime();
        DefaultMQAdminExt admin = new DefaultMQAdminExt(30000);
        admin.setInstanceName("bench_" + System.nanoTime());
        admin.setNamesrvAddr(nameServer);
        admin.start();
        long t1 = System.nanoTime();

        TopicConfigSerializeWrapper topics = admin.getAllTopicConfig(source, 60000);
        SubscriptionGroupWrapper groups = admin.getAllSubscriptionGroup(source, 60000);
        String sourceCluster = admin.getBrokerConfig(source).getProperty("brokerClusterName");
        String sourceBroker = admin.getBrokerConfig(source).getProperty("brokerName");

        List<TopicConfig> topicList = new ArrayList<>();
        for (Map.Entry<String, TopicConfig> e : topics.getTopicConfigTable().entrySet()) {
            String name = e.getKey();
            if (isSystemTopic(name) || name.equals(sourceCluster) || name.equals(sourceBroker)) {
                continue;
            }
            topicList.add(asCreateRequest(e.getValue()));
        }
        List<SubscriptionGroupConfig> groupList = new ArrayList<>();
        for (Map.Entry<String, SubscriptionGroupConfig> e : groups.getSubscriptionGroupTable().entrySet()) {
            if (!e.getKey().startsWith("CID_RMQ_SYS_")) {
                groupList.add(e.getValue());
            }
        }

        if (mode.equals("batch")) {
            for (int i = 0; i < topicList.size(); i += topicBatch) {
                admin.createAndUpdateTopicConfigList(target, topicList.subList(i, Math.min(i + topicBatch, topicList.size())));
            }
            for (int i = 0; i < groupList.size(); i += groupBatch) {
                admin.createAndUpdateSubscriptionGroupConfigList(target, groupList.subList(i, Math.min(i + groupBatch, groupList.size())));
            }
        } else {
            for (TopicConfig topic : topicList) {
                admin.createAndUpdateTopicConfig(target, topic);
            }
            for (SubscriptionGroupConfig group : groupList) {
                admin.createAndUpdateSubscriptionGroupConfig(target, group);
            }
        }
        long t2 = System.nanoTime();
        admin.shutdown();
        System.out.println("RESULT {\"copyMs\":" + (t2 - t1) / 1000000.0 + ",\"startMs\":" + (t1 - t0) / 1000000.0
            + ",\"topics\":" + topicList.size() + ",\"groups\":" + groupList.size() + "}");
        System.exit(0);
    }

    /** Stored attributes carry no sign; a create request must say "+key" to set one. */
    private static TopicConfig asCreateRequest(TopicConfig stored) {
        if (stored.getAttributes() == null || stored.getAttributes().isEmpty()) {
            return stored;
        }
        Map<String, String> modifications = new HashMap<>();
        for (Map.Entry<String, String> a : stored.getAttributes().entrySet()) {
            modifications.put(a.getKey().startsWith("+") ? a.getKey() : "+" + a.getKey(), a.getValue());
        }
        stored.setAttributes(modifications);
        return stored;
    }

    private static boolean isSystemTopic(String topic) {
        return topic.startsWith("rmq_sys_") || topic.equals("TBW102") || topic.equals("SCHEDULE_TOPIC_XXXX")
            || topic.equals("BenchmarkTest") || topic.equals("RMQ_SYS_TRANS_HALF_TOPIC") || topic.equals("RMQ_SYS_TRACE_TOPIC")
            || topic.equals("RMQ_SYS_TRANS_OP_HALF_TOPIC") || topic.equals("TRANS_CHECK_MAX_TIME_TOPIC")
            || topic.equals("SELF_TEST_TOPIC") || topic.equals("OFFSET_MOVED_EVENT") || topic.equals("CHECKPOINT_TOPIC");
    }
}
