package dev.sfd.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Ctrl-C and SIGTERM on a real {@code sfd optimize} process (the command-line main class in a child JVM with its
 * own temp folder): the signal arrives while a CP-SAT mapping solve (SIGINT) or a Timefold segmentation (SIGTERM) is
 * running. The process must end with 130 or 143 within a few seconds, print no stack trace, leave nothing in its
 * temp folder (OR-Tools' unpacked libraries included), and leave the output folder as the earlier run left it.
 */
class InterruptionTest {
    /** Generous: the handler gives solvers 0.25 s; the rest is process exit on a loaded 2-core machine. */
    static final long MAX_EXIT_MILLIS = 5_000;
    static final Map<String, String> EARLIER = Map.of("plan.json", "{\"earlier\": \"plan\"}",
            "report.json", "{\"earlier\": \"report\"}", "trace.json", "{\"earlier\": \"trace\"}");

    @Test
    void sigintDuringCpSatMappingExits130AndLeavesNothing(@TempDir Path dir) throws Exception {
        interrupt(dir, "INT", 130, "CP-SAT (", "optimize", "resnet50", "--hw", "edge", "--solver", "dp");
    }

    @Test
    void sigtermDuringTimefoldSegmentationExits143AndLeavesNothing(@TempDir Path dir) throws Exception {
        interrupt(dir, "TERM", 143, "Mapped (", "optimize", "resnet18", "--hw", "edge", "--mapper", "heuristic",
                "--solver", "timefold", "--time-limit", "120");
    }

    private static void interrupt(Path dir, String signal, int expectedExit, String waitFor, String... args)
            throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path out = Files.createDirectories(dir.resolve("out"));
        for (Map.Entry<String, String> e : EARLIER.entrySet()) {
            Files.writeString(out.resolve(e.getKey()), e.getValue());
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        // A process started with SIGINT ignored (a build run in the background, as CI may) passes that on to its
        // children, and a JVM leaves an ignored signal ignored: env gives the child the default disposition back.
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT,TERM", java, "-Djava.io.tmpdir=" + tmp,
                "-cp",
                System.getProperty("java.class.path"), SfdCommand.class.getName()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--out", out.toString(), "-v"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder log = new StringBuilder();
        CompletableFuture<Void> seen = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    if (line.contains(waitFor)) {
                        seen.complete(null);
                    }
                }
            } catch (IOException e) {
                seen.completeExceptionally(e);
            }
            seen.complete(null);
        });
        reader.setDaemon(true);
        reader.start();
        try {
            seen.get(180, TimeUnit.SECONDS);
            assertTrue(p.isAlive(), "the run ended before the signal:\n" + log);
            Thread.sleep(300); // inside the solve, not at its first line
            long start = System.nanoTime();
            new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).inheritIO().start().waitFor();
            boolean exited = p.waitFor(MAX_EXIT_MILLIS, TimeUnit.MILLISECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (!exited) {
                // what the process was doing, for the failure message
                Path jcmd = Path.of(java).resolveSibling("jcmd");
                Process dump = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd",
                        String.valueOf(p.pid()), "Thread.print")
                        .redirectErrorStream(true).start();
                String threads = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                synchronized (log) {
                    fail("still running " + MAX_EXIT_MILLIS + " ms after SIG" + signal + "; its output:\n" + log
                            + "\nits threads:\n" + threads);
                }
            }
            reader.join(2_000);
            String text;
            synchronized (log) {
                text = log.toString();
            }
            assertEquals(expectedExit, p.exitValue(), "exit code after SIG" + signal + " (" + millis + " ms):\n" + text);
            assertTrue(text.contains("interrupted (SIG" + signal + ")"), text);
            assertTrue(!text.contains("\tat ") && !text.contains("Exception"), "stack trace:\n" + text);
            try (Stream<Path> left = Files.list(tmp)) {
                List<Path> l = left.toList();
                assertTrue(l.isEmpty(), "left in the temp folder: " + l);
            }
            try (Stream<Path> files = Files.list(out)) {
                List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
                assertEquals(List.of("plan.json", "report.json", "trace.json"), names, "output folder");
            }
            for (Map.Entry<String, String> e : EARLIER.entrySet()) {
                assertEquals(e.getValue(), Files.readString(out.resolve(e.getKey())), e.getKey() + " changed");
            }
        } finally {
            p.destroyForcibly();
        }
    }
}
