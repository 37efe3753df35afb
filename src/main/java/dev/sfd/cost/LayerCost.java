package dev.sfd.cost;

import java.util.List;
import java.util.Objects;

/**
 * The cost of one operator under one mapping when the layer runs alone (inputs from DRAM, output to DRAM).
 * Every figure follows from the formulas of {@code docs/cost-model.md}.
 *
 * @param operator operator name
 * @param tiles number of GLB tiles (product over dims of ceil(bound / tile))
 * @param computeCycles cycles of all compute steps: the larger of {@code unitCycles} and the global-buffer port
 *     cycles of {@code portBytes}
 * @param unitCycles PE-array or vector-unit cycles of all steps (padding and unroll waste included)
 * @param portBytes bytes the steps move through the global buffer's port (inputs read, outputs written, partial
 *     sums read back)
 * @param exposedCycles the compute cycles with the DRAM latencies its slice chains expose (not the bandwidth): what
 *     the layer takes inside a segment whose DRAM traffic overlaps other work
 * @param dramReadBytes DRAM bytes read
 * @param dramWriteBytes DRAM bytes written
 * @param footprintBytes GLB bytes the mapping needs (double buffering counted when the mapping uses it)
 * @param latencyCycles cycles of the layer alone
 * @param peUtilization useful work / (compute cycles x peak), in [0, 1] (0 for data movement)
 * @param energy energy by component
 * @param computeBound true when compute cycles >= DRAM transfer cycles
 * @param singleBufferedFootprintBytes footprint without double buffering
 * @param doubleBufferedFootprintBytes footprint with double buffering of the streamed operands
 * @param dramCycles cycles to move all DRAM bytes at the DRAM bandwidth
 * @param operands per-operand figures, in the loop nest's operand order (output last)
 */
public record LayerCost(String operator, long tiles, long computeCycles, long unitCycles, long portBytes,
                        long exposedCycles, long dramReadBytes, long dramWriteBytes,
                        long footprintBytes, long latencyCycles, double peUtilization, EnergyBreakdown energy,
                        boolean computeBound, long singleBufferedFootprintBytes, long doubleBufferedFootprintBytes,
                        long dramCycles, List<OperandCost> operands) {
    public LayerCost {
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(energy, "energy");
        operands = List.copyOf(operands);
    }

    /** The cost of a layout operator (reshape, transpose, concat, split): a view, nothing moves or computes. */
    public static LayerCost zero(String operator) {
        return new LayerCost(operator, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, EnergyBreakdown.ZERO, false, 0, 0, 0, List.of());
    }

    /** The same cost for another operator of identical shape. */
    public LayerCost withOperator(String other) {
        return new LayerCost(other, tiles, computeCycles, unitCycles, portBytes, exposedCycles, dramReadBytes,
                dramWriteBytes,
                footprintBytes, latencyCycles, peUtilization, energy, computeBound, singleBufferedFootprintBytes,
                doubleBufferedFootprintBytes, dramCycles, operands);
    }

    public long dramBytes() {
        return dramReadBytes + dramWriteBytes;
    }
}
