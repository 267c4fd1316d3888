import org.apache.rocketmq.tools.command.MQAdminStartup;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Runs many real mqadmin commands in one JVM, several at a time, so hundreds of them pay neither a
 * JVM start each nor each one's wait for its client to start and stop. Each line of the file is one
 * command, its arguments separated by tabs. A command that fails is run again, up to 5 times:
 * mqadmin prints "command failed" (e.g. on a request timeout of a busy machine), or the stack trace
 * of any other exception it caught. One such exception is this runner's own doing: every
 * MQAdminStartup.main0 call adds all subcommands to one static ArrayList and then iterates it, so a
 * call that starts while another adds fails with ConcurrentModificationException before it sends
 * anything, with nothing on stdout. Each command's output
 * is printed whole after "=== <line index>"; at the end "RAN <count>", or "FAILED <index>" lines.
 * Usage: commandFile [parallel commands, default 24]
 */
public class MqadminBatch {
    private static final Object START_GATE = new Object();
    private static long lastStart = 0;

    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8).stream().filter(l -> !l.isEmpty()).collect(Collectors.toList());
        int parallel = args.length > 1 ? Integer.parseInt(args[1]) : 24;
        PrintStream realOut = System.out;
        ThreadLocal<ByteArrayOutputStream> captured = ThreadLocal.withInitial(ByteArrayOutputStream::new);
        ThreadLocal<ByteArrayOutputStream> capturedErr = ThreadLocal.withInitial(ByteArrayOutputStream::new);
        System.setOut(new PrintStream(new OutputStream() {
            @Override public void write(int b) { captured.get().write(b); }
            @Override public void write(byte[] b, int off, int len) { captured.get().write(b, off, len); }
        }, true, "UTF-8"));
        System.setErr(new PrintStream(new OutputStream() {
            @Override public void write(int b) { capturedErr.get().write(b); }
            @Override public void write(byte[] b, int off, int len) { capturedErr.get().write(b, off, len); }
        }, true, "UTF-8"));
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        List<Future<Object>> runs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            final int index = i;
            runs.add(pool.submit(() -> {
                ByteArrayOutputStream out = captured.get();
                ByteArrayOutputStream err = capturedErr.get();
                boolean failed = true;
                for (int attempt = 0; attempt < 5 && failed; attempt++) {
                    out.reset();
                    err.reset();
                    awaitDistinctStart();
                    MQAdminStartup.main0(lines.get(index).split("\t"), null);
                    // mqadmin reports a failed command on stdout or stderr, depending on the command and release.
                    String printed = out.toString("UTF-8"), complained = err.toString("UTF-8");
                    failed = printed.contains("command failed") || complained.contains("command failed") || complained.contains("\tat ");
                }
                synchronized (realOut) {
                    String printed = out.toString("UTF-8");
                    realOut.println("=== " + index);
                    // updateTopic's output ends without a line break; the next header starts a line of its own.
                    realOut.print(printed.endsWith("\n") || printed.isEmpty() ? printed : printed + "\n");
                    if (failed) realOut.println("FAILED " + index + ": " + out.toString("UTF-8") + err.toString("UTF-8"));
                    realOut.flush();
                }
                return failed;
            }));
        }
        boolean anyFailed = false;
        for (Future<Object> run : runs) anyFailed |= (Boolean) run.get();
        pool.shutdown();
        if (!anyFailed) realOut.println("RAN " + lines.size());
        realOut.flush();
        System.exit(anyFailed ? 1 : 0);
    }

    /** mqadmin names each command's client after the current millisecond: two commands must not start in the same one. */
    private static void awaitDistinctStart() throws InterruptedException {
        synchronized (START_GATE) {
            long now;
            while ((now = System.currentTimeMillis()) < lastStart + 20) Thread.sleep(1);
            lastStart = now;
        }
    }
}
