package dev.sfd.segmentation;

import dev.sfd.cost.Mapping;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.Operator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A {@link SegmentationModel} together with what its indexes stand for: the network's operators in the
 * model's order and, per operator, the mapping behind each option (empty for layout operators, whose single
 * option is {@link SegmentationModel.Option#NONE}).
 *
 * @param model the solver-neutral problem
 * @param operators operators in the model's topological order
 * @param mappings per operator, the mapping of each option (empty list for layout operators)
 * @param matches per (operator, producer, producer option), the operator's option that walks exactly that option's
 *     output tiles (elementwise operators, {@link SegmentationModelBuilder}); absent where there is none
 */
public record SegmentationInput(SegmentationModel model, List<Operator> operators, List<List<Mapping>> mappings,
                                Map<List<Integer>, Integer> matches) {
    public SegmentationInput {
        Objects.requireNonNull(model, "model");
        operators = List.copyOf(operators);
        List<List<Mapping>> copy = new ArrayList<>();
        for (List<Mapping> l : mappings) {
            copy.add(List.copyOf(l));
        }
        mappings = List.copyOf(copy);
        matches = Map.copyOf(matches);
    }

    /** The mapping of option {@code option} of operator {@code index}; empty for a layout operator. */
    public Optional<Mapping> mapping(int index, int option) {
        List<Mapping> l = mappings.get(index);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(option));
    }

    /**
     * The option of operator {@code index} whose output tile rows and columns (P, Q) are nearest {@code (p, q)} on a
     * log scale, the least busy on ties: the option that lets it consume a producer's tiles as they come. Option 0 for
     * a layout operator.
     */
    public int nearestTileOption(int index, int p, int q) {
        List<Mapping> l = mappings.get(index);
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int o = 0; o < l.size(); o++) {
            Mapping m = l.get(o);
            double d = Math.abs(Math.log((double) m.tile(LoopDim.P) / p))
                    + Math.abs(Math.log((double) m.tile(LoopDim.Q) / q));
            if (d < bestDistance - 1e-12 || (Math.abs(d - bestDistance) <= 1e-12
                    && model.operators().get(index).options().get(o).busyCycles()
                    < model.operators().get(index).options().get(best).busyCycles())) {
                best = o;
                bestDistance = d;
            }
        }
        return best;
    }

    /**
     * {@code choices} of the segment {@code operators} with every operator after the first moved to the option that
     * walks its predecessor's tiles (in the segment's order, {@link #alignedOption}): producer and consumer then walk
     * the same tiles, which the additive model, pricing each operator on its own, cannot see.
     */
    public List<Integer> alignedChoices(List<Integer> operators, List<Integer> choices) {
        List<Integer> out = new ArrayList<>(choices);
        for (int k = 1; k < operators.size(); k++) {
            OptionalInt o = alignedOption(operators.get(k), operators.get(k - 1), out.get(k - 1));
            if (o.isPresent()) {
                out.set(k, o.getAsInt());
            }
        }
        return out;
    }

    /**
     * The option of operator {@code index} that walks the tiles of option {@code predecessorOption} of operator
     * {@code predecessor}: its option matched to that one ({@link #matches}) when it has one, else the option whose
     * output tile rows and columns are nearest the predecessor's ({@link #nearestTileOption}); empty when either is a
     * layout operator.
     */
    public OptionalInt alignedOption(int index, int predecessor, int predecessorOption) {
        Integer match = matches.get(List.of(index, predecessor, predecessorOption));
        if (match != null) {
            return OptionalInt.of(match);
        }
        Optional<Mapping> prev = mapping(predecessor, predecessorOption);
        if (prev.isEmpty() || mappings.get(index).isEmpty()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(nearestTileOption(index, prev.get().tile(LoopDim.P), prev.get().tile(LoopDim.Q)));
    }
}
