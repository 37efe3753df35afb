package dev.sfd.simulation;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerCost;
import dev.sfd.cost.LowerBounds;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.planner.LayerwisePlanner;
import dev.sfd.planner.PlanRequest;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden corpus: every zoo network plans layer by layer on edge and simulates with zero violations; the
 * simulated latency is at least the lower bound; and the simulator agrees with the cost model's layer-by-layer
 * figures within the documented tolerance (docs/plan-format.md, "Simulator vs cost model").
 */
class ZooLayerwiseSimulationTest {
    /** Whole-network latency tolerance between the simulator and the sum of the cost model's layer latencies. */
    static final double LATENCY_TOLERANCE = 0.05;
    /** ViT-B/16's attention-score layers (197 tokens) pipeline worse in the simulator than the model assumes. */
    static final Map<String, Double> LATENCY_EXCEPTIONS = Map.of("vit_b16", 0.15);
    /**
     * DRAM traffic tolerance: the simulator loads each tile's exact (clipped) input region, halo rows included,
     * while the cost model's sweep estimate differs at padded edges (largest gap today: ViT-B/16 7.8%, ResNet-18 5.5%).
     */
    static final double DRAM_TOLERANCE = 0.10;

    static List<String> zoo() {
        return NetworkCatalog.ZOO;
    }

    @ParameterizedTest
    @MethodSource("zoo")
    void everyZooNetworkSimulatesCleanWithinToleranceOfTheCostModel(String name) {
        Network net = NetworkCatalog.resolve(name);
        Hardware hw = HardwareCatalog.resolve("edge");
        Plan plan = new LayerwisePlanner().plan(new PlanRequest(net, new NetworkRef(name, net.batch()), hw));
        CostModel cost = new CostModel(hw);
        SimulationResult r = new Simulator(net, false).run(plan);
        assertTrue(r.violations().isEmpty(), () -> r.violations().size() + " violations, first: " + r.violations().get(0));
        assertTrue(r.peakBufferBytes() <= hw.globalBuffer().capacityBytes());
        assertTrue(r.cycles() >= LowerBounds.of(net, hw).latencyCycles());

        long predicted = plan.segments().stream().mapToLong(SegmentSchedule::predictedCycles).sum();
        assertEquals(predicted, r.cycles(), "the simulator replays the list schedule's timeline exactly");

        long modelCycles = 0;
        long modelDram = 0;
        for (Map.Entry<String, Mapping> e : plan.mappings().entrySet()) {
            LayerCost c = cost.evaluate(net, net.operator(e.getKey()), e.getValue());
            modelCycles += c.latencyCycles();
            modelDram += c.dramBytes();
        }
        double latencyGap = Math.abs(r.cycles() - modelCycles) / (double) modelCycles;
        double dramGap = Math.abs(r.dramReadBytes() + r.dramWriteBytes() - modelDram) / (double) modelDram;
        System.out.printf("%-15s tasks %8d  sim %,12d  model %,12d  gap %5.2f%%  dram gap %5.2f%%  events %,d%n", name,
                plan.taskCount(), r.cycles(), modelCycles, 100 * latencyGap, 100 * dramGap, r.events());
        assertTrue(latencyGap <= LATENCY_EXCEPTIONS.getOrDefault(name, LATENCY_TOLERANCE),
                () -> name + ": simulated " + r.cycles() + " vs cost model " + " gap " + latencyGap);
        assertTrue(dramGap <= DRAM_TOLERANCE, () -> name + ": DRAM gap " + dramGap);
    }
}
