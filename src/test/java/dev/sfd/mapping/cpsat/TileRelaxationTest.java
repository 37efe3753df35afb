package dev.sfd.mapping.cpsat;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerShape;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.ExhaustiveMapper;
import dev.sfd.mapping.MappingChoice;
import dev.sfd.mapping.MappingSpace;
import dev.sfd.mapping.ParetoFront;
import dev.sfd.mapping.RandomLayers;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relaxation must never cut an optimum: its bound is at most the exhaustive optimum at every budget of the
 * exhaustive front, and every front point's tile combination is in the table under that point's latency.
 */
class TileRelaxationTest {
    private static final Hardware TINY = HardwareCatalog.resolve("tiny");

    static LongStream seeds() {
        return LongStream.range(0, 60);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void neverCutsAnExhaustiveFrontPoint(long seed) {
        Network net = RandomLayers.layer(seed);
        Operator op = net.operator("L");
        MappingSpace space = new MappingSpace(LayerShape.of(net, op).orElseThrow(), new CostModel(TINY),
                MappingSpace.Options.DEFAULT);
        TileRelaxation relaxation = new TileRelaxation(space);
        ParetoFront front = new ExhaustiveMapper(MappingSpace.Options.DEFAULT).front(net, op, TINY);
        for (MappingChoice p : front.points()) {
            MappingChoice best = front.best(p.footprintBytes()).orElseThrow();
            assertTrue(relaxation.lowerBound(p.footprintBytes()) <= best.latencyCycles(),
                    "bound above the optimum at budget " + p.footprintBytes());
            Mapping m = p.mapping();
            boolean listed = relaxation.within(p.footprintBytes(), p.latencyCycles(), Integer.MAX_VALUE).stream()
                    .anyMatch(e -> e.doubleBuffered() == m.doubleBuffered() && sameTiles(space, e.index(), m));
            assertTrue(listed, "front point " + m + " missing from the table");
        }
    }

    private static boolean sameTiles(MappingSpace space, int[] index, Mapping m) {
        for (LoopDim d : LoopDim.values()) {
            if (space.candidates(d.ordinal())[index[d.ordinal()]] != m.tile(d)) {
                return false;
            }
        }
        return true;
    }
}
