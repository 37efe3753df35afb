package dev.sfd.mapping.cpsat;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerShape;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.ExhaustiveMapper;
import dev.sfd.mapping.MappingChoice;
import dev.sfd.mapping.MappingSpace;
import dev.sfd.mapping.ParetoFront;
import dev.sfd.mapping.RandomLayers;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MappingModel#enumerate}: whatever the entry limit, a result it calls proven has the exhaustive optimum's
 * figures (latency, DRAM bytes, footprint) at that budget, and an unproven one is still a mapping within the budget;
 * with no limit every budget is proven.
 */
class EnumerationProofTest {
    private static final Hardware TINY = HardwareCatalog.resolve("tiny");

    static LongStream seeds() {
        return LongStream.range(0, 60);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void provenMeansTheExhaustiveOptimum(long seed) {
        Network net = RandomLayers.layer(seed);
        Operator op = net.operator("L");
        MappingSpace space = new MappingSpace(LayerShape.of(net, op).orElseThrow(), new CostModel(TINY),
                MappingSpace.Options.DEFAULT);
        TileRelaxation relaxation = new TileRelaxation(space);
        ParetoFront exact = new ExhaustiveMapper(MappingSpace.Options.DEFAULT).front(net, op, TINY);
        long cap = TINY.globalBuffer().capacityBytes();
        long min = exact.minFootprintBytes();
        int proven = 0;
        for (long budget : List.of(min, (long) Math.sqrt((double) min * cap), cap)) {
            MappingChoice optimum = exact.best(budget).orElseThrow();
            for (int limit : new int[] {1, 2, 7, 50, Integer.MAX_VALUE - 1}) {
                MappingModel.Enumerated e = MappingModel.enumerate(space, budget, relaxation, limit);
                assertTrue(e.best().isPresent(), "nothing found at budget " + budget + ", limit " + limit);
                MappingModel.Solution s = e.best().get();
                assertTrue(s.footprintBytes() <= budget, "over the budget");
                assertEquals(s.optimal(), e.proven());
                if (e.proven()) {
                    proven++;
                    assertEquals(List.of(optimum.latencyCycles(), optimum.dramBytes(), optimum.footprintBytes()),
                            List.of(s.latencyCycles(), s.dramBytes(), s.footprintBytes()),
                            "proven at budget " + budget + " with limit " + limit);
                } else {
                    assertTrue(limit < Integer.MAX_VALUE - 1, "not proven without a limit at budget " + budget);
                    assertTrue(s.latencyCycles() >= optimum.latencyCycles(), "beats the exhaustive optimum");
                }
            }
        }
        assertTrue(proven >= 3);
    }
}
