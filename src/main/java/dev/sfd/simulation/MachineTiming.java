package dev.sfd.simulation;

import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.workload.Box;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.LoopNest;
import dev.sfd.workload.OpKind;

/**
 * The simulator's own timing of the accelerator, derived from the hardware record (it does not call the planner's
 * cost model):
 *
 * <ul>
 *   <li><b>PE array</b>: a step runs {@code prod over loop dims of ceil(extent / f)} cycles, where {@code f} is the
 *       spatial factor of the dim in the mapping's unrolling (times the MAC lanes of a PE for C) and 1 for a dim
 *       that is not unrolled: each temporal iteration fires the whole array once, padding included.</li>
 *   <li><b>Vector unit</b>: {@code ceil(points x opsPerPoint / opsPerCycle)}.</li>
 *   <li><b>Global-buffer port</b>: a step moves its operands and its output tile through the port at its bandwidth,
 *       less the share that running DMA transfers take (each moves its bytes at its engine's share of the DRAM
 *       bandwidth); a step lasts as long as the slower of its unit and its port traffic.</li>
 *   <li><b>DMA</b>: each engine gets an equal share of the DRAM bandwidth; a transfer holds its engine for its bytes
 *       at that rate, and its data lands the DRAM access latency after it started.</li>
 * </ul>
 */
final class MachineTiming {
    private final Hardware hw;
    private final double dmaBytesPerCycle;
    private final double portBytesPerCycle;

    MachineTiming(Hardware hw) {
        this.hw = hw;
        this.dmaBytesPerCycle = hw.dram().bandwidthBytesPerCycle() / Math.max(1, hw.dram().dmaEngines());
        this.portBytesPerCycle = hw.globalBuffer().bandwidthBytesPerCycle();
    }

    /** Cycles a transfer of {@code bytes} holds its DMA engine. */
    long dmaBusyCycles(long bytes) {
        return (long) Math.ceil(bytes / dmaBytesPerCycle);
    }

    /** Cycles from the start of a transfer until its data is in place. */
    long dmaCycles(long bytes) {
        return hw.dram().latencyCycles() + dmaBusyCycles(bytes);
    }

    /** Cycles of the PE array or vector unit for one step over loop ranges {@code loops}. */
    long unitCycles(LoopNest nest, Mapping mapping, Box loops) {
        if (nest.unit() == OpKind.ComputeUnit.PE_ARRAY) {
            long c = 1;
            for (LoopDim d : LoopDim.values()) {
                long extent = loops.hi(d.ordinal()) - loops.lo(d.ordinal());
                c *= ceilDiv(extent, spatialFactor(mapping, d));
            }
            return c;
        }
        if (nest.unit() == OpKind.ComputeUnit.VECTOR) {
            return ceilDiv(loops.elements() * nest.opsPerPoint(), hw.vectorUnit().opsPerCycle());
        }
        return 0;
    }

    private long spatialFactor(Mapping mapping, LoopDim d) {
        Mapping.SpatialUnroll u = mapping.spatial();
        long f = 1;
        if (u.rowDim() == d) {
            f *= u.rowFactor();
        }
        if (u.colDim() == d) {
            f *= u.colFactor();
        }
        if (d == LoopDim.C) {
            f *= hw.peArray().macsPerPe();
        }
        return Math.max(1, f);
    }

    /**
     * Cycles of a step that needs {@code unitCycles} on its unit and moves {@code portBytes} through the buffer
     * port while {@code activeTransfers} DMA transfers run.
     */
    long stepCycles(long unitCycles, long portBytes, int activeTransfers) {
        if (unitCycles == 0 && portBytes == 0) {
            return 0;
        }
        double available = Math.max(portBytesPerCycle / 2, portBytesPerCycle - activeTransfers * dmaBytesPerCycle);
        return Math.max(unitCycles, (long) Math.ceil(portBytes / available));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
