package dev.sfd.mapping;

import dev.sfd.hardware.Hardware;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;

import java.util.Optional;

/**
 * Maps one layer: the Pareto front of its mappings in (footprint, cycles, DRAM bytes) up to the GLB capacity,
 * and the best mapping (cycles, then DRAM bytes, then footprint) under a footprint budget.
 */
public interface Mapper {
    /** Short name used on the command line and in reports ({@code cpsat}, {@code exhaustive}, ...). */
    String name();

    /**
     * The front of a compute layer up to the GLB capacity.
     *
     * @throws MappingInfeasibleException when even the smallest mapping does not fit the GLB
     * @throws IllegalArgumentException for a layout operator (it has no loop nest and needs no mapping)
     */
    ParetoFront front(Network net, Operator op, Hardware hw);

    /** The best mapping whose footprint fits {@code budgetBytes}; empty when none fits. */
    Optional<MappingChoice> best(Network net, Operator op, Hardware hw, long budgetBytes);

    /** Fronts of all compute layers; layers of identical shape are mapped once. */
    default NetworkMapping mapNetwork(Network net, Hardware hw) {
        return NetworkMapper.map(this, net, hw, 1);
    }
}
