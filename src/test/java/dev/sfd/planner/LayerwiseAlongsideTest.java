package dev.sfd.planner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.io.PlanWriter;
import dev.sfd.segmentation.Objective;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SFD planner makes its layer-by-layer plan on a thread of its own while it segments (two or more threads) or
 * before (one thread): either way it is the plan {@link LayerwisePlanner} makes alone from the same mapper, byte for
 * byte as {@code plan.json} writes it.
 */
class LayerwiseAlongsideTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void theLayerByLayerPlanIsTheOneMadeAlone(int threads) {
        Network net = NetworkCatalog.resolve("resnet18");
        Hardware hw = HardwareCatalog.resolve("edge");
        PlanRequest request = new PlanRequest(net, new NetworkRef("resnet18", net.batch()), hw);
        SfdPlanner.Options options = new SfdPlanner.Options(SolverChoice.DP, Objective.LATENCY, 60, threads, 42, "fast",
                SfdPlannerZooTest.MAX_FUSED_TASKS, 50_000);
        SfdResult result = new SfdPlanner(new HeuristicMapper(), options, ProgressListener.NONE)
                .planWithDetails(request);
        assertArrayEquals(PlanWriter.toBytes(new LayerwisePlanner(new HeuristicMapper()).plan(request)),
                PlanWriter.toBytes(result.layerwise()));
    }
}
