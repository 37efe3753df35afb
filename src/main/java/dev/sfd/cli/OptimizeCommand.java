package dev.sfd.cli;

import dev.sfd.common.InvalidInputException;
import dev.sfd.cost.CostModel;
import dev.sfd.cost.LowerBounds;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.MappingInfeasibleException;
import dev.sfd.planner.PlanRequest;
import dev.sfd.planner.Planner;
import dev.sfd.report.ReportWriter;
import dev.sfd.report.TraceWriter;
import dev.sfd.schedule.InfeasiblePlanException;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.io.PlanWriter;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code sfd optimize NETWORK --hw HW --planner NAME --out DIR}: plans the network, replays the plan in the
 * simulator, and writes {@code plan.json}, {@code report.json} and {@code trace.json} to DIR (atomically).
 * Exit 0 when the plan is legal, 1 when no plan exists or the simulator found violations, 2 on bad input.
 */
@Command(name = "optimize", mixinStandardHelpOptions = true,
        description = "Plan a network on an accelerator, simulate the plan, write plan, report and trace.")
public final class OptimizeCommand implements Callable<Integer> {
    private static final Logger LOGGER = LogManager.getLogger();

    @Parameters(index = "0", paramLabel = "NETWORK", description = "Zoo name (e.g. resnet50) or a network file.")
    String network;

    @Option(names = "--hw", required = true, paramLabel = "HARDWARE", description = "Hardware preset or file.")
    String hardware;

    @Option(names = "--planner", defaultValue = "layerwise", paramLabel = "NAME",
            description = "Planner: ${COMPLETION-CANDIDATES}; default ${DEFAULT-VALUE}.",
            completionCandidates = PlannerNames.class)
    String planner;

    @Option(names = "--batch", paramLabel = "N", description = "Batch size (overrides the network file).")
    Integer batch;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Candidates for --planner help. */
    static final class PlannerNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return PlannerRegistry.names().iterator();
        }
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        try {
            Network net = NetworkCatalog.resolve(network, batch);
            Hardware hw = HardwareCatalog.resolve(hardware);
            Planner p = PlannerRegistry.resolve(planner);
            Plan plan = p.plan(new PlanRequest(net, new NetworkRef(network, net.batch()), hw));
            SimulationResult r = new Simulator(net, new CostModel(hw)::tileComputeCycles, true).run(plan);
            LowerBounds.LowerBound bound = LowerBounds.of(net, hw);
            PlanWriter.write(plan, out.resolve("plan.json"));
            ReportWriter.write(out.resolve("report.json"), plan, r, bound);
            TraceWriter.write(out.resolve("trace.json"), r, hw);
            ReportWriter.printSummary(stdout, plan, r, bound);
            stdout.println("wrote " + out.resolve("plan.json") + ", report.json, trace.json");
            stdout.flush();
            return SimulateCommand.reportViolations(r, err);
        } catch (InvalidInputException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        } catch (InfeasiblePlanException | MappingInfeasibleException e) {
            LOGGER.debug("infeasible", e);
            err.println("infeasible: " + e.getMessage());
            err.flush();
            return 1;
        }
    }
}
