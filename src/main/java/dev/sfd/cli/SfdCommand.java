package dev.sfd.cli;

import dev.sfd.common.InvalidInputException;
import dev.sfd.workload.io.NetworkCatalog;
import dev.sfd.workload.io.OnnxReader;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;

/** The {@code sfd} command: segment fusion dataflow optimizer for spatial accelerators. */
@Command(name = "sfd", mixinStandardHelpOptions = true, version = "sfd 0.1.0",
        description = "Finds fusion plans for DNNs on spatial accelerators: maps every layer, cuts the network "
                + "into fused segments, schedules tiles and replays the plan in a simulator.",
        subcommands = {InspectCommand.class, MapCommand.class, OptimizeCommand.class, SimulateCommand.class,
                CompareCommand.class, BenchCommand.class, SweepCommand.class,
                TuneCommand.class, CommandLine.HelpCommand.class})
public final class SfdCommand implements Runnable {
    /** Exit code: success. */
    public static final int OK = 0;
    /** Exit code: the problem is infeasible or a check failed. */
    public static final int FAILED = 1;
    /** Exit code: bad usage or bad input. */
    public static final int BAD_INPUT = 2;

    @Option(names = {"-v", "--verbose"}, description = "Log pipeline details (DEBUG) to stderr.",
            scope = CommandLine.ScopeType.INHERIT)
    void verbose(boolean on) {
        if (on) {
            Configurator.setLevel("dev.sfd", Level.DEBUG);
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns the exit code (tests call this). */
    public static int execute(String... args) {
        CommandLine cli = commandLine();
        return cli.execute(args);
    }

    static {
        // Every command accepts an .onnx path in place of a network file.
        NetworkCatalog.registerImporter(".onnx", OnnxReader::read);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SfdCommand());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof InvalidInputException || ex instanceof UncheckedIOException) {
                commandLine.getErr().println("error: " + ex.getMessage());
                return BAD_INPUT;
            }
            throw ex;
        });
        return cli;
    }
}
