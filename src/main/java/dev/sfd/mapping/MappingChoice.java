package dev.sfd.mapping;

import dev.sfd.cost.LayerCost;
import dev.sfd.cost.Mapping;

import java.util.Objects;

/**
 * One mapping of a layer with its cost (from the cost model) and how it was found.
 *
 * @param mapping the mapping
 * @param cost its cost model evaluation
 * @param optimality optimal, feasible, exhaustive or sampled
 */
public record MappingChoice(Mapping mapping, LayerCost cost, Optimality optimality) {
    public MappingChoice {
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(optimality, "optimality");
    }

    public long footprintBytes() {
        return cost.footprintBytes();
    }

    public long latencyCycles() {
        return cost.latencyCycles();
    }

    public long dramBytes() {
        return cost.dramBytes();
    }

    public long computeCycles() {
        return cost.computeCycles();
    }

    /**
     * True when this is at least as good as {@code o} in footprint, latency alone, DRAM bytes and compute cycles, and
     * better in one.
     */
    public boolean dominates(MappingChoice o) {
        boolean noWorse = footprintBytes() <= o.footprintBytes() && latencyCycles() <= o.latencyCycles()
                && dramBytes() <= o.dramBytes() && computeCycles() <= o.computeCycles();
        boolean better = footprintBytes() < o.footprintBytes() || latencyCycles() < o.latencyCycles()
                || dramBytes() < o.dramBytes() || computeCycles() < o.computeCycles();
        return noWorse && better;
    }

    /** Lexicographic order of the search objective: cycles, then DRAM bytes, then footprint. */
    public static int compareObjective(MappingChoice a, MappingChoice b) {
        int c = Long.compare(a.latencyCycles(), b.latencyCycles());
        if (c != 0) {
            return c;
        }
        c = Long.compare(a.dramBytes(), b.dramBytes());
        return c != 0 ? c : Long.compare(a.footprintBytes(), b.footprintBytes());
    }

    /** The same choice for another operator of identical shape. */
    public MappingChoice renamed(String operator) {
        if (operator.equals(mapping.operator())) {
            return this;
        }
        Mapping m = new Mapping(operator, mapping.tile(), mapping.spatial(), mapping.outerOrder(), mapping.doubleBuffered());
        LayerCost rc = cost.withOperator(operator);
        return new MappingChoice(m, rc, optimality);
    }
}
