package dev.sfd.cli;

import dev.sfd.planner.ProgressListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A progress bar on stderr for planning stages that run longer than {@link #DELAY_MILLIS}. ProgressBar itself
 * draws carriage-return lines whether or not stderr is a terminal, so {@link #forTerminal(boolean)} gives
 * {@link ProgressListener#NONE} when there is no console (pipes, CI, tests) or {@code --no-progress} is set.
 */
final class ConsoleProgress implements ProgressListener, AutoCloseable {
    static final long DELAY_MILLIS = 1000;

    private final PrintStream err;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sfd-progress");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> pending;
    private ProgressBar bar;
    private long done;
    private long generation;

    private ConsoleProgress(PrintStream err) {
        this.err = err;
    }

    /** A console bar when stdin/stdout are a terminal and progress is not switched off, else nothing. */
    static ProgressListener forTerminal(boolean disabled) {
        return disabled || System.console() == null ? NONE : new ConsoleProgress(System.err);
    }

    @Override
    public synchronized void stage(String name, long total) {
        done();
        done = 0;
        long g = generation;
        pending = timer.schedule(() -> show(name, total, g), DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private synchronized void show(String name, long total, long g) {
        if (g != generation) {
            return; // the stage ended while this was waiting for the lock
        }
        bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total).setUpdateIntervalMillis(200)
                .continuousUpdate().setConsumer(new ConsoleProgressBarConsumer(err)).hideEta().build();
        bar.stepTo(done);
    }

    @Override
    public synchronized void step(long value) {
        done = value;
        if (bar != null) {
            bar.stepTo(value);
        }
    }

    @Override
    public synchronized void done() {
        generation++;
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    @Override
    public void close() {
        done();
        timer.shutdownNow();
    }
}
