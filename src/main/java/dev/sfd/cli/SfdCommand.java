package dev.sfd.cli;

import dev.sfd.common.InvalidInputException;
import dev.sfd.common.Interruption;
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
        Interruption.installSignalHandlers(System.err);
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

    /** "NETWORK on HARDWARE" of the command that ran, as far as it has them. */
    static String inputs(CommandLine.ParseResult parseResult) {
        CommandLine.ParseResult sub = parseResult.subcommand() != null ? parseResult.subcommand() : parseResult;
        String network = sub.matchedPositionals().isEmpty() ? null : String.valueOf(sub.matchedPositionalValue(0, ""));
        String hw = sub.hasMatchedOption("--hw") ? String.valueOf((Object) sub.matchedOptionValue("--hw", "")) : null;
        return network == null ? (hw == null ? "the input" : hw) : hw == null ? network : network + " on " + hw;
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SfdCommand());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (Interruption.interrupted()) {
                // A stopped solver's half answer made the pipeline give up: the signal handler ends the process.
                return Interruption.awaitHalt();
            }
            if (ex instanceof InvalidInputException || ex instanceof UncheckedIOException) {
                commandLine.getErr().println("error: " + ex.getMessage());
                return BAD_INPUT;
            }
            if (ex instanceof ArithmeticException) {
                // The readers bound every field at the door (README, "Limits"); a combination of large values
                // (the largest layer on the slowest memory) can still exceed what the models can represent.
                commandLine.getErr().println("error: " + inputs(parseResult) + ": too large to model: a size or "
                        + "cycle count exceeds what the solver models can represent (" + ex.getMessage() + ")"
                        + "\n  Maybe the batch, a dimension or a latency is larger, or a bandwidth or clock smaller, "
                        + "than intended; the README lists the limits of each field.");
                return BAD_INPUT;
            }
            throw ex;
        });
        return cli;
    }
}
