package dev.sfd.segmentation;

import dev.sfd.cost.Mapping;
import dev.sfd.workload.Operator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link SegmentationModel} together with what its indexes stand for: the network's operators in the
 * model's order and, per operator, the mapping behind each option (empty for layout operators, whose single
 * option is {@link SegmentationModel.Option#NONE}).
 *
 * @param model the solver-neutral problem
 * @param operators operators in the model's topological order
 * @param mappings per operator, the mapping of each option (empty list for layout operators)
 */
public record SegmentationInput(SegmentationModel model, List<Operator> operators, List<List<Mapping>> mappings) {
    public SegmentationInput {
        Objects.requireNonNull(model, "model");
        operators = List.copyOf(operators);
        List<List<Mapping>> copy = new ArrayList<>();
        for (List<Mapping> l : mappings) {
            copy.add(List.copyOf(l));
        }
        mappings = List.copyOf(copy);
    }

    /** The mapping of option {@code option} of operator {@code index}; empty for a layout operator. */
    public Optional<Mapping> mapping(int index, int option) {
        List<Mapping> l = mappings.get(index);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(option));
    }
}
