package dev.sfd.bench;

import dev.sfd.cost.CostModel;
import dev.sfd.schedule.BoundaryPrefetch;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.io.PlanReader;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The boundary-prefetch benchmark of benchmarks/README.md ("Issue 11 item 1, second step"): reads a plan written by
 * {@code sfd optimize} (a zoo network), removes every prefetch, simulates it with segments one after another, lets
 * {@link BoundaryPrefetch} place loads again on the same segments and simulates that: the scheduler's effect alone,
 * whatever the segmenter found. Prints both latencies, the scheduler's prediction, the time the placement took and
 * how many tasks moved (into the previous segment / two or more segments early).
 *
 * <p>{@code java -cp target/test-classes:target/classes:$(cat target/cp-test.txt) dev.sfd.bench.PrefetchBench
 * out/plan.json}
 */
public final class PrefetchBench {
    private PrefetchBench() {
    }

    public static void main(String[] args) {
        for (String file : args) {
            Plan plan = PlanReader.read(Path.of(file)).withoutPrefetches();
            Network net = NetworkCatalog.resolve(plan.network().name(), plan.network().batch());
            SimulationResult sequential = new Simulator(net, false).run(plan);
            long start = System.nanoTime();
            List<SegmentSchedule> placed = new BoundaryPrefetch(net, new CostModel(plan.hardware()), true)
                    .apply(plan.segments(), plan.mappings());
            double seconds = (System.nanoTime() - start) / 1e9;
            Plan prefetching = plan.withSegments(placed);
            SimulationResult r = new Simulator(net, false).run(prefetching);
            int moved = 0;
            int deep = 0;
            for (SegmentSchedule s : placed) {
                for (int i = 0; i < s.prefetch().tasks().size(); i++) {
                    moved++;
                    deep += s.prefetch().host(i, s.index()) < s.index() - 1 ? 1 : 0;
                }
            }
            System.out.printf(Locale.ROOT, "%s: %d segments, one after another %,d cycles, with prefetches %,d "
                            + "(%+.1f %%, predicted %,d), %d tasks moved (%d two or more segments early), %.2f s, "
                            + "%d violations%n", file, placed.size(), sequential.cycles(), r.cycles(),
                    100.0 * (r.cycles() - sequential.cycles()) / sequential.cycles(), prefetching.predictedCycles(),
                    moved, deep, seconds, sequential.violations().size() + r.violations().size());
        }
    }
}
