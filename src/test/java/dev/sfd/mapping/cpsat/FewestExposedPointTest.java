package dev.sfd.mapping.cpsat;

import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.MappingChoice;
import dev.sfd.mapping.ParetoFront;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fused segment hides a layer's DRAM traffic behind other work, but not the weight slices its own steps wait for.
 * GPT-2's QKV projection streams 1.8 MB of weights in slices: single buffered, each slice's transfer sits between two
 * steps (twice the compute cycles in all), double buffered with the same footprint (half the slice) none does. The
 * front must offer the second: before its fewest-compute points were chosen by exposed cycles, the only point with
 * the fewest compute cycles was single buffered, and the DP's segments paid for it (benchmarks/README.md, "Fewest
 * exposed cycles").
 */
class FewestExposedPointTest {
    @Test
    void theFrontOffersTheFewestComputeCyclesWithNoTransferBetweenSteps() {
        Network net = NetworkCatalog.resolve("gpt2_small");
        Operator op = net.operator("h.0.attn.c_attn");
        Hardware hw = HardwareCatalog.resolve("soma-edge");
        ParetoFront front = new CpSatMapper(CpSatSettings.DEFAULT.withWorkers(1)).front(net, op, hw);
        long fewest = front.points().stream().mapToLong(MappingChoice::computeCycles).min().orElseThrow();
        // exposed cycles are never below the compute cycles: such a point has the fewest any mapping can have
        assertTrue(front.points().stream().anyMatch(p -> p.computeCycles() == fewest
                        && p.cost().exposedCycles() == fewest),
                () -> "no front point with " + fewest + " compute cycles exposes nothing more: " + front.points()
                        .stream().filter(p -> p.computeCycles() == fewest)
                        .map(p -> p.mapping() + " exposed " + p.cost().exposedCycles()).toList());
    }
}
