package dev.sfd.common;

import ai.timefold.solver.core.api.solver.Solver;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import sun.misc.Signal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Ctrl-C (SIGINT) and SIGTERM for the command line. {@link #installSignalHandlers} (called by {@code main} only,
 * never in tests) replaces the JVM's default handling: on a signal every running CP-SAT search is stopped
 * ({@code CpSolver.stopSearch}) and every Timefold solver terminated early ({@code terminateEarly}), they are given
 * {@link #STOP_WAIT_MILLIS} to return, every registered temp file or folder is deleted, and the process ends with
 * {@code 128 + signal} (130 for SIGINT, 143 for SIGTERM). Outputs move into place inside {@link #commit}, which a
 * signal waits for, so an interrupted run leaves either the previous run's files or all of this run's.
 *
 * <p>CP-SAT installs its own SIGINT handler for the length of a solve unless told not to, and leaves behind an
 * empty one that aborts the JVM on the next Ctrl-C; {@link #solve(CpSolver, CpModel)} switches it off.
 */
public final class Interruption {
    /** How long a signal waits for stopped solvers to return before the process ends. */
    public static final long STOP_WAIT_MILLIS = 250;

    private static final Set<Runnable> STOPPERS = ConcurrentHashMap.newKeySet();
    private static final Set<Path> TEMP = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger ACTIVE = new AtomicInteger();
    private static final AtomicBoolean HANDLING = new AtomicBoolean();
    private static final Object COMMIT = new Object();
    private static volatile boolean interrupted;
    private static volatile boolean committed;

    private Interruption() {
    }

    /** A registration to undo when the guarded work is over. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Whether a signal has arrived (work may check it to stop early). */
    public static boolean interrupted() {
        return interrupted;
    }

    /**
     * For code that failed because a signal stopped its solver: waits for the signal handler to end the process
     * (it does within {@link #STOP_WAIT_MILLIS} and the clean-up), so the failure is not reported as an error.
     *
     * @return 130, if the handler has not ended the process after a few seconds
     */
    public static int awaitHalt() {
        try {
            Thread.sleep(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 130;
    }

    /** Runs {@code stop} when a signal arrives while the registration is open (at once if one already has). */
    public static Registration onInterrupt(Runnable stop) {
        STOPPERS.add(stop);
        ACTIVE.incrementAndGet();
        if (interrupted) {
            stop.run();
        }
        return () -> {
            if (STOPPERS.remove(stop)) {
                ACTIVE.decrementAndGet();
            }
        };
    }

    /**
     * Solves with CP-SAT, stoppable by a signal. Turns off CP-SAT's own SIGINT handler ({@code catch_sigint_signal}),
     * which would otherwise abort the JVM on the first Ctrl-C after any solve.
     */
    public static CpSolverStatus solve(CpSolver solver, CpModel model) {
        solver.getParameters().setCatchSigintSignal(false);
        try (Registration r = onInterrupt(solver::stopSearch)) {
            return solver.solve(model);
        }
    }

    /** Solves with Timefold, terminated early by a signal. */
    public static <T> T solve(Solver<T> solver, T problem) {
        try (Registration r = onInterrupt(solver::terminateEarly)) {
            return solver.solve(problem);
        }
    }

    /** Deletes {@code path} (a file, or a folder and its contents) if a signal arrives before {@link #forget}. */
    public static void deleteOnInterrupt(Path path) {
        TEMP.add(path.toAbsolutePath());
    }

    /** The path no longer needs deleting on a signal (it was moved into place or deleted). */
    public static void forget(Path path) {
        TEMP.remove(path.toAbsolutePath());
    }

    /**
     * Runs {@code moves} (the renames that put a run's outputs into place) so that a signal arriving meanwhile
     * waits until all of them are done: a run's outputs appear together or not at all.
     */
    public static <T> T commit(Supplier<T> moves) {
        synchronized (COMMIT) {
            T result = moves.get();
            committed = true;
            return result;
        }
    }

    /**
     * Installs SIGINT and SIGTERM handlers for a command-line run. A second signal while the first is handled ends
     * the process at once.
     */
    public static void installSignalHandlers(PrintStream err) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), s -> handle(s.getName(), 128 + s.getNumber(), err));
            } catch (IllegalArgumentException e) {
                // The signal is not available here (or ignored, as for background jobs): keep the default.
            }
        }
    }

    private static void handle(String name, int exitCode, PrintStream err) {
        if (!HANDLING.compareAndSet(false, true)) {
            Runtime.getRuntime().halt(exitCode);
        }
        interrupted = true;
        long start = System.nanoTime();
        synchronized (COMMIT) {
            for (Runnable stop : STOPPERS) {
                try {
                    stop.run();
                } catch (RuntimeException e) {
                    // a solver that is already done: nothing to stop
                }
            }
            while (ACTIVE.get() > 0 && (System.nanoTime() - start) / 1_000_000 < STOP_WAIT_MILLIS) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    break;
                }
            }
            int removed = deleteTemp();
            err.println();
            err.println("interrupted (SIG" + name + "): solvers stopped, " + removed + " temporary file(s) removed, "
                    + (committed ? "the outputs had been written already" : "no output written"));
            err.flush();
            Runtime.getRuntime().halt(exitCode);
        }
    }

    /** Deletes every registered temp path; returns how many existed. */
    static int deleteTemp() {
        int n = 0;
        for (Path p : TEMP) {
            if (Files.exists(p)) {
                n++;
                deleteRecursively(p);
            }
            TEMP.remove(p);
        }
        return n;
    }

    /** Deletes a file or a folder tree, ignoring what cannot be deleted. */
    public static void deleteRecursively(Path p) {
        try {
            if (Files.isDirectory(p)) {
                Files.walkFileTree(p, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        Files.deleteIfExists(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                        Files.deleteIfExists(dir);
                        return FileVisitResult.CONTINUE;
                    }
                });
            } else {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort: the temp folder's owner may clean up what is left
        }
    }
}
