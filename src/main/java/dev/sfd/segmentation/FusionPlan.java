package dev.sfd.segmentation;

import dev.sfd.cost.Mapping;
import dev.sfd.mapping.NetworkMapping;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the analytical segmenter hands to the tile scheduler: segments (operator names, execution order), one
 * mapping per compute operator, and the model's figures for this plan and for layer-by-layer execution.
 *
 * @param segments operator names per segment, in execution order
 * @param mappings chosen mapping of every compute operator
 * @param segmentation the solver's answer (model indexes)
 * @param input the model and what its indexes stand for
 * @param networkMapping the mapper's fronts the model was built from
 * @param layerwise the model's figures of every operator alone with its best option
 * @param fellBackToLayerwise true when the segmenter's plan scored worse than layer-by-layer and was replaced
 */
public record FusionPlan(List<List<String>> segments, Map<String, Mapping> mappings, Segmentation segmentation,
                         SegmentationInput input, NetworkMapping networkMapping, SegmentationModel.Evaluation layerwise,
                         boolean fellBackToLayerwise) {
    public FusionPlan {
        segments = segments.stream().map(List::copyOf).toList();
        mappings = Map.copyOf(mappings);
        Objects.requireNonNull(segmentation, "segmentation");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(networkMapping, "networkMapping");
        Objects.requireNonNull(layerwise, "layerwise");
    }
}
