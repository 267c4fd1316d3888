import org.apache.rocketmq.tools.command.MQAdminStartup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;

/**
 * Runs many real mqadmin commands in one JVM, one after the other, so hundreds of them do not each
 * pay a JVM start. Each line of the file is one command, its arguments separated by tabs. Before
 * each command's output it prints "=== <line number>"; at the end "RAN <count>".
 * Usage: commandFile
 */
public class MqadminBatch {
    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8);
        int ran = 0;
        for (String line : lines) {
            if (line.isEmpty()) continue;
            System.out.println("=== " + ran);
            MQAdminStartup.main0(line.split("\t"), null);
            ran++;
        }
        System.out.println("RAN " + ran);
        System.exit(0);
    }
}
