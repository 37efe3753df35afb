package dev.sfd.segmentation;

import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.MappingInfeasibleException;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.mapping.NetworkMapping;
import dev.sfd.segmentation.dp.DpSegmenter;
import dev.sfd.workload.Network;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The SFD front half: mapper (Pareto front per layer) -> {@link SegmentationModelBuilder} -> segmenter. An answer
 * scored by the additive model never scores worse than layer-by-layer under it: when the segmenter's answer does
 * (a search solver stopped early), the layer-by-layer segmentation is returned instead and the plan says so.
 */
public final class FusionPlanner {
    private static final Logger LOGGER = LogManager.getLogger();

    private final Mapper mapper;
    private final Segmenter segmenter;
    private final int mapperThreads;

    public FusionPlanner(Mapper mapper, Segmenter segmenter, int mapperThreads) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
        this.mapperThreads = mapperThreads;
    }

    /** Heuristic mapper, exact DP, two mapping threads. */
    public FusionPlanner() {
        this(new HeuristicMapper(), new DpSegmenter(), 2);
    }

    /**
     * @throws MappingInfeasibleException when some layer's smallest footprint exceeds the buffer
     * @throws IllegalStateException when the segmenter finds nothing legal (cannot happen when every layer fits)
     */
    public FusionPlan plan(Network net, Hardware hw, SegmenterSettings settings) {
        long start = System.nanoTime();
        NetworkMapping mapping = NetworkMapper.map(mapper, net, hw, mapperThreads);
        SegmentationInput input = new SegmentationModelBuilder(net, hw).build(mapping);
        return plan(input, mapping, settings, start);
    }

    /** Segments a model already built. */
    public FusionPlan plan(SegmentationInput input, NetworkMapping mapping, SegmenterSettings settings, long startNanos) {
        SegmentationModel model = input.model();
        Segmentation s = segmenter.segment(model, settings);
        SegmentationModel.Evaluation layerwise = layerwise(model, settings.objective());
        boolean fallback = false;
        // a priced answer was compared with its priced single-operator segments already; the planner compares the
        // scheduled plan with the layer-by-layer one
        boolean worse = !s.priced() && settings.objective().score(s.evaluation()) > settings.objective().score(layerwise);
        if (!s.feasible() || worse) {
            if (!layerwise.legal()) {
                throw new IllegalStateException("no legal segmentation: " + s.evaluation().problem());
            }
            LOGGER.info("Segmenter ({}) scored worse than layer by layer; using layer by layer", s.solver());
            s = new Segmentation(singletons(model, settings.objective()), layerwise, Segmentation.Status.FEASIBLE,
                    Double.NaN, s.solver() + "+layerwise-fallback", s.wallMillis());
            fallback = true;
        }
        List<List<String>> segments = new ArrayList<>();
        Map<String, Mapping> mappings = new LinkedHashMap<>();
        for (SegmentationModel.Part p : s.parts()) {
            List<String> names = new ArrayList<>();
            for (int k = 0; k < p.operators().size(); k++) {
                int op = p.operators().get(k);
                names.add(input.operators().get(op).name());
                input.mapping(op, p.choices().get(k)).ifPresent(m -> mappings.put(m.operator(), m));
            }
            segments.add(names);
        }
        LOGGER.info("Segmented ({}) operators into ({}) segments with ({}), status ({}), in ({} ms)",
                model.operators().size(), segments.size(), s.solver(), s.status(),
                (System.nanoTime() - startNanos) / 1_000_000);
        return new FusionPlan(segments, mappings, s, input, mapping, layerwise, fallback);
    }

    /** Every operator alone with the option that scores best alone. */
    public static SegmentationModel.Evaluation layerwise(SegmentationModel model, Objective objective) {
        return model.evaluate(singletons(model, objective));
    }

    /** The exact DP restricted to one-operator segments: each operator's best option alone. */
    static List<SegmentationModel.Part> singletons(SegmentationModel model, Objective objective) {
        SegmenterSettings oneEach = new SegmenterSettings(objective, 1, 1, 0, 1);
        Segmentation s = new DpSegmenter().segment(model, oneEach);
        if (!s.feasible()) {
            throw new IllegalStateException("layer by layer is infeasible: " + s.evaluation().problem());
        }
        return s.parts();
    }
}
