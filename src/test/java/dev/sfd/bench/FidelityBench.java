package dev.sfd.bench;

import dev.sfd.cost.LowerBounds;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.cpsat.CpSatMapper;
import dev.sfd.mapping.cpsat.CpSatSettings;
import dev.sfd.planner.PlanRequest;
import dev.sfd.planner.ProgressListener;
import dev.sfd.planner.SfdPlanner;
import dev.sfd.planner.SfdResult;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The fidelity benchmark of benchmarks/README.md ("Fidelity"): for every network x hardware, plans as
 * {@code sfd optimize} does (CP-SAT mapper with solver-configs/mapper-cpsat.yaml, auto segmenter, default limits),
 * simulates, and prints one Markdown row: the segmenter's predicted latency against the simulated one, the share of
 * the segmenter's segments within 10 % of their simulated cycles, repairs, latency / bound, speedup over layer by
 * layer and the planning time.
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/cp-test.txt) dev.sfd.bench.FidelityBench \
 *     resnet18,resnet50 edge,cloud
 * </pre>
 */
public final class FidelityBench {
    private FidelityBench() {
    }

    public static void main(String[] args) {
        List<String> nets = args.length > 0 ? List.of(args[0].split(",")) : NetworkCatalog.ZOO;
        List<String> hws = args.length > 1 ? List.of(args[1].split(",")) : List.of("edge", "cloud", "soma-edge",
                "tpu-like");
        CpSatSettings settings = CpSatSettings.read(Path.of("solver-configs/mapper-cpsat.yaml"));
        Mapper mapper = new CpSatMapper(settings);
        System.out.println("| network | hardware | segmenter vs simulated | segments within 10 % | repairs | status "
                + "| latency / bound | speedup over layer by layer | planning s |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        List<Double> errors = new ArrayList<>();
        for (String hwName : hws) {
            Hardware hw = HardwareCatalog.resolve(hwName);
            for (String name : nets) {
                Network net = NetworkCatalog.resolve(name);
                long start = System.nanoTime();
                SfdResult r;
                try {
                    r = new SfdPlanner(mapper, SfdPlanner.Options.defaults().withThreads(settings.threads()),
                            ProgressListener.NONE).planWithDetails(new PlanRequest(net, new NetworkRef(name,
                            net.batch()), hw));
                } catch (RuntimeException e) {
                    System.out.printf("| %s | %s | %s | | | | | | |%n", name, hwName, e.getMessage());
                    continue;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                SimulationResult sim = new Simulator(net, false).run(r.plan());
                SimulationResult lw = new Simulator(net, false).run(r.layerwise());
                double error = (double) (r.prediction().latencyCycles() - sim.cycles()) / sim.cycles();
                errors.add(Math.abs(error));
                int compared = 0;
                int within = 0;
                List<SegmentSchedule> segs = r.plan().segments();
                for (int i = 0; i < segs.size(); i++) {
                    Optional<Long> m = r.prediction().cyclesOf(segs.get(i).operators());
                    if (m.isPresent()) {
                        compared++;
                        long s = sim.segments().get(i).cycles();
                        if (Math.abs(m.get() - s) <= 0.10 * Math.max(1, s)) {
                            within++;
                        }
                    }
                }
                long bound = LowerBounds.of(net, hw).latencyCycles();
                System.out.printf(Locale.ROOT, "| %s | %s | %+.2f %% | %d / %d | %d | %s %s | %.2f | %.2f | %.1f |%s%n",
                        name, hwName, 100 * error, within, compared, r.repairs().size(), r.solverUsed(),
                        r.solverStatus(), (double) sim.cycles() / bound, (double) lw.cycles() / sim.cycles(), seconds,
                        sim.violations().isEmpty() ? "" : " " + sim.violations().size() + " violations");
            }
        }
        errors.sort(Double::compare);
        System.out.printf(Locale.ROOT, "%nplans: %d, worst |segmenter - simulated| %.2f %%%n", errors.size(),
                errors.isEmpty() ? 0 : 100 * errors.get(errors.size() - 1));
    }
}
