package dev.sfd.mapping;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The non-dominated mappings of one layer in (footprint bytes, latency alone, DRAM bytes, compute cycles), sorted
 * by footprint (then latency, DRAM bytes, compute cycles). Compute cycles and DRAM bytes are kept apart from the
 * latency alone because inside a fused segment the DRAM traffic of a layer overlaps other work: a mapping no
 * faster alone may be the one that keeps the PE array busy.
 *
 * @param operator operator name
 * @param mapper name of the mapper that built it
 * @param points non-dominated mappings, sorted
 * @param minFootprintBytes the smallest footprint any mapping of the space needs
 * @param solveMillis wall time spent building the front
 */
public record ParetoFront(String operator, String mapper, List<MappingChoice> points, long minFootprintBytes,
                          long solveMillis) {
    private static final Comparator<MappingChoice> ORDER = Comparator.comparingLong(MappingChoice::footprintBytes)
            .thenComparingLong(MappingChoice::latencyCycles).thenComparingLong(MappingChoice::dramBytes)
            .thenComparingLong(MappingChoice::computeCycles);

    public ParetoFront {
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(mapper, "mapper");
        points = List.copyOf(points);
    }

    /** Builds a front from any candidates: keeps the non-dominated ones (one per distinct figure tuple), sorted. */
    public static ParetoFront of(String operator, String mapper, List<MappingChoice> candidates, long minFootprintBytes,
                                 long solveMillis) {
        List<MappingChoice> sorted = new ArrayList<>(candidates);
        sorted.sort(ORDER);
        List<MappingChoice> kept = new ArrayList<>();
        for (MappingChoice c : sorted) {
            boolean dominated = false;
            for (MappingChoice k : kept) {
                if (k.latencyCycles() <= c.latencyCycles() && k.dramBytes() <= c.dramBytes()
                        && k.computeCycles() <= c.computeCycles()) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                kept.add(c);
            }
        }
        return new ParetoFront(operator, mapper, kept, minFootprintBytes, solveMillis);
    }

    /** The best mapping (cycles, then DRAM bytes, then footprint) whose footprint fits the budget. */
    public Optional<MappingChoice> best(long budgetBytes) {
        return points.stream().filter(p -> p.footprintBytes() <= budgetBytes).min(MappingChoice::compareObjective);
    }

    /** The same front for another operator of identical shape. */
    public ParetoFront renamed(String otherOperator) {
        if (otherOperator.equals(operator)) {
            return this;
        }
        return new ParetoFront(otherOperator, mapper, points.stream().map(p -> p.renamed(otherOperator)).toList(),
                minFootprintBytes, solveMillis);
    }

    public boolean isEmpty() {
        return points.isEmpty();
    }
}
