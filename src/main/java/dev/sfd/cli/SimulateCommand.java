package dev.sfd.cli;

import dev.sfd.common.InvalidInputException;
import dev.sfd.cost.CostModel;
import dev.sfd.cost.LowerBounds;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.report.ReportWriter;
import dev.sfd.report.TraceWriter;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.io.PlanReader;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.simulation.Violation;
import dev.sfd.workload.Network;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code sfd simulate PLAN [--hw HW]}: replays a saved plan (on its embedded hardware, or on another one) and
 * prints the metrics. Exit 0 when the plan is legal, 1 with every violation listed when not, 2 on bad input.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Replay a saved plan in the simulator, check it and print its metrics.")
public final class SimulateCommand implements Callable<Integer> {
    /** At most this many violations are printed (the report has all). */
    static final int MAX_PRINTED = 50;

    @Parameters(index = "0", paramLabel = "PLAN", description = "A plan.json written by 'sfd optimize'.")
    Path planFile;

    @Option(names = "--hw", paramLabel = "HARDWARE",
            description = "Replay on this hardware instead of the one embedded in the plan.")
    String hardware;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write report.json here.")
    Path report;

    @Option(names = "--trace", paramLabel = "FILE", description = "Also write a Chrome trace here.")
    Path trace;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        try {
            Plan plan = PlanReader.read(planFile);
            if (hardware != null) {
                Hardware hw = HardwareCatalog.resolve(hardware);
                plan = plan.withHardware(hw);
            }
            Network net;
            try {
                net = NetworkArgs.load(plan.network());
            } catch (InvalidInputException e) {
                throw new InvalidInputException(planFile.toString(), "section 'network' names (" + plan.network().name()
                        + "), which cannot be loaded:\n  " + e.getMessage().replace("\n", "\n  ")
                        + "\n  Maybe the plan was written in another folder: a relative network path is resolved "
                        + "against the working folder.");
            }
            checkOperators(plan, net);
            SimulationResult r = new Simulator(net, trace != null)
                    .run(plan);
            LowerBounds.LowerBound bound = LowerBounds.of(net, plan.hardware());
            if (report != null) {
                ReportWriter.write(report, plan, r, bound);
            }
            if (trace != null) {
                TraceWriter.write(trace, r, plan.hardware());
            }
            ReportWriter.printSummary(out, plan, r, bound);
            return reportViolations(r, err);
        } catch (InvalidInputException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        }
    }

    /** Plans must name operators of the network they reference. */
    private void checkOperators(Plan plan, Network net) {
        java.util.List<String> problems = new java.util.ArrayList<>();
        for (java.util.List<String> seg : plan.segmentOperators()) {
            for (String op : seg) {
                if (!net.tensors().isEmpty() && net.operators().stream().noneMatch(o -> o.name().equals(op))) {
                    problems.add("field 'segments' names operator (" + op + ") which network '" + net.name()
                            + "' does not have");
                }
            }
        }
        for (String op : plan.mappings().keySet()) {
            if (net.operators().stream().noneMatch(o -> o.name().equals(op))) {
                problems.add("field 'mappings' has operator (" + op + ") which network '" + net.name() + "' does not have");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(planFile.toString(), problems.subList(0, Math.min(10, problems.size())));
        }
    }

    static int reportViolations(SimulationResult r, PrintWriter err) {
        if (r.violations().isEmpty()) {
            return 0;
        }
        err.println("plan is illegal: " + r.violations().size() + " violation(s)");
        int i = 0;
        for (Violation v : r.violations()) {
            if (i++ == MAX_PRINTED) {
                err.println("... and " + (r.violations().size() - MAX_PRINTED) + " more");
                break;
            }
            err.println("  " + v);
        }
        err.flush();
        return 1;
    }
}
