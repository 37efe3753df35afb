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
 * @param fetches how many times the operand's data is swept from DRAM (1 = read once; always 1 for the output)
 * @param transfers slices moved when the layer runs alone: loads of an input or weight (each change of its region
 *     along the walk), stores of the output (one per output tile)
 * @param dramReadBytes DRAM bytes read for this operand when the layer runs alone (0 for the output)
 * @param dramWriteBytes DRAM bytes written (output only)
 */
public record OperandCost(String tensor, Operand.Role role, long tileBytes, boolean streamed, long fetches,
                          long transfers, long dramReadBytes, long dramWriteBytes) {
    public OperandCost {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(role, "role");
    }
}
