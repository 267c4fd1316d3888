import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.topic.TopicValidator;
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
 * group from one broker to one or more others with DefaultMQAdminExt, in one JVM. The source is
 * read once; the targets are copied to one after the other, as the synchronous admin API goes.
 * Usage: nameServer sourceAddr targetAddr[,targetAddr...] topicBatch groupBatch
 * Prints one line: RESULT {"copyMs":..,"startMs":..,"targetMs":[..],"topics":..,"groups":..}: copyMs from the
 * source's reading to the last target's copy, targetMs each target's copy, topics and groups per target.
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
        String[] targets = args[2].split(",");
        int topicBatch = Integer.parseInt(args[3]);
        int groupBatch = Integer.parseInt(args[4]);

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
            // RocketMQ's own notion of a system topic, and the topics a broker makes for its cluster and group.
            if (TopicValidator.isSystemTopic(name) || name.equals(sourceCluster) || name.equals(sourceCluster + "_REPLY_TOPIC") || name.equals(sourceBroker)) {
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

        StringBuilder targetMs = new StringBuilder();
        for (String target : targets) {
            long began = System.nanoTime();
            copy(admin, target, topicList, groupList, topicBatch, groupBatch);
            targetMs.append(targetMs.length() == 0 ? "" : ",").append((System.nanoTime() - began) / 1000000.0);
        }
        long t2 = System.nanoTime();
        admin.shutdown();
        System.out.println("RESULT {\"copyMs\":" + (t2 - t1) / 1000000.0 + ",\"startMs\":" + (t1 - t0) / 1000000.0
            + ",\"targetMs\":[" + targetMs + "],\"topics\":" + topicList.size() + ",\"groups\":" + groupList.size() + "}");
        System.exit(0);
    }

    /** The same batched requests as ours: UPDATE_AND_CREATE_TOPIC_LIST, then UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST. */
    private static void copy(DefaultMQAdminExt admin, String target, List<TopicConfig> topicList,
        List<SubscriptionGroupConfig> groupList, int topicBatch, int groupBatch) throws Exception {
        for (int i = 0; i < topicList.size(); i += topicBatch) {
            admin.createAndUpdateTopicConfigList(target, topicList.subList(i, Math.min(i + topicBatch, topicList.size())));
        }
        for (int i = 0; i < groupList.size(); i += groupBatch) {
            admin.createAndUpdateSubscriptionGroupConfigList(target, groupList.subList(i, Math.min(i + groupBatch, groupList.size())));
        }
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
}
