package dev.sfd.cost;

import dev.sfd.workload.Operand;

import java.util.Objects;

/**
 * What one operand of a layer costs under a mapping.
 *
 * @param tensor tensor name
 * @param role input, weight or output
 * @param tileBytes bytes of one (full) tile of this operand in the GLB (accumulator width for an output whose
 *                  reduction is split across tiles)
 * @param streamed whether the tile changes during the layer (only streamed operands are double-buffered)
 * @param fetches how many times the operand's data is swept from DRAM (1 = read once; for the output, how many
 *                times each element is visited)
 * @param dramReadBytes DRAM bytes read for this operand when the layer runs alone (output: partial sums read back)
 * @param dramWriteBytes DRAM bytes written (output only: final values plus spilled partial sums)
 */
public record OperandCost(String tensor, Operand.Role role, long tileBytes, boolean streamed, long fetches,
                          long dramReadBytes, long dramWriteBytes) {
    public OperandCost {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(role, "role");
    }
}
