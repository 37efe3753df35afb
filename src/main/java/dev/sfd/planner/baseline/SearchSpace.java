package dev.sfd.planner.baseline;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.Mapping;
import dev.sfd.mapping.NetworkMapping;
import dev.sfd.planner.LayerwisePlanner;
import dev.sfd.planner.PlanAssembler;
import dev.sfd.planner.PlanRequest;
import dev.sfd.schedule.Plan;
import dev.sfd.segmentation.SegmentAnalyzer;
import dev.sfd.segmentation.SegmentPricer;
import dev.sfd.segmentation.SegmentationInput;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.SegmentationModelBuilder;
import dev.sfd.segmentation.TilePricer;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What every fusion baseline searches, built once per planning call from the mapper's fronts: the SFD planner's
 * segmentation model (the same operators in the same topological order, the same mapping options per operator),
 * priced at tile level by a {@link TilePricer} (the timeline engine the tile scheduler uses), and the layer-by-layer
 * plan that {@link PlanAssembler} falls back to for single operators. A segment here is a contiguous range
 * {@code [from, to)} of the model's order with one option per operator, as in the SFD planner's DP.
 */
public final class SearchSpace {
    private final PlanRequest request;
    private final NetworkMapping mapping;
    private final Plan layerwise;
    private final SegmentationInput input;
    private final TilePricer pricer;
    private final int maxTasks;
    private final int maxSegmentLength;
    private final CostModel cost;
    private final long[][] tiles;

    /**
     * @param maxTasks segments whose tile walk has more events are priced infeasible (and split by the assembler)
     * @param maxSegmentLength longest segment any baseline forms (operators)
     */
    public SearchSpace(PlanRequest request, NetworkMapping mapping, int maxTasks, int maxSegmentLength) {
        this.request = Objects.requireNonNull(request, "request");
        this.mapping = Objects.requireNonNull(mapping, "mapping");
        this.maxTasks = maxTasks;
        this.maxSegmentLength = maxSegmentLength;
        this.layerwise = new LayerwisePlanner().plan(request, mapping);
        this.input = new SegmentationModelBuilder(request.network(), request.hardware()).build(mapping);
        // the baselines price one segment at a time (TilePricer.price), so one pricing thread
        this.cost = new CostModel(request.hardware());
        this.pricer = new TilePricer(request.network(), cost, input, maxTasks, 1);
        this.tiles = new long[input.operators().size()][];
        for (int k = 0; k < input.operators().size(); k++) {
            if (!layerwise.segments().get(k).operators().equals(List.of(input.operators().get(k).name()))) {
                throw new IllegalStateException("layer-by-layer plan and model disagree on the order at " + k);
            }
        }
    }

    public PlanRequest request() {
        return request;
    }

    public Network network() {
        return request.network();
    }

    public Plan layerwise() {
        return layerwise;
    }

    /**
     * The scheduled cycles of operator {@code index} alone in the layer-by-layer plan: what the assembler runs for
     * a single operator whose fused mapping does not fit.
     */
    public long layerwiseCycles(int index) {
        return layerwise.segments().get(index).predictedCycles();
    }

    public SegmentationInput input() {
        return input;
    }

    public SegmentationModel model() {
        return input.model();
    }

    /** Operators of the model (topological order). */
    public int size() {
        return input.operators().size();
    }

    public Operator operator(int index) {
        return input.operators().get(index);
    }

    /** Mapping options of operator {@code index} (1 for layout operators). */
    public int options(int index) {
        return model().operators().get(index).options().size();
    }

    /** The additive model's option record (buffer bytes, busy cycles, ...) of an operator's option. */
    public SegmentationModel.Option option(int index, int option) {
        return model().operators().get(index).options().get(option);
    }

    public int maxSegmentLength() {
        return maxSegmentLength;
    }

    /**
     * The tile-level price of segment {@code [from, to)} with {@code choices[from..to)} (cycles), or
     * {@link Double#POSITIVE_INFINITY} when the timeline engine cannot fit it in the buffer or it has too many tile
     * events.
     */
    public double price(int from, int to, int[] choices) {
        return pricer.price(range(from, to), slice(choices, from, to));
    }

    /** The tile-level analysis of a segment, when it was small enough to walk. */
    public Optional<SegmentAnalyzer.Analysis> analysis(int from, int to, int[] choices) {
        return pricer.analysis(range(from, to), slice(choices, from, to));
    }

    /**
     * A value no price of segment [from, to) under {@code choices} can be below (the busiest unit and the first load
     * and last store latencies, {@link SegmentPricer#lowerBound} without DRAM traffic): a candidate whose bound is not
     * below the best price known need not be priced.
     */
    public double lowerBound(int from, int to, int[] choices) {
        return SegmentPricer.lowerBound(model(), range(from, to), slice(choices, from, to), 0);
    }

    /** Compute tiles of an operator's option (cost model), cached; 0 for layout operators. */
    public long tiles(int index, int option) {
        if (tiles[index] == null) {
            tiles[index] = new long[options(index)];
            java.util.Arrays.fill(tiles[index], -1);
        }
        if (tiles[index][option] < 0) {
            tiles[index][option] = input.mapping(index, option)
                    .map(m -> cost.evaluate(network(), operator(index), m).tiles()).orElse(0L);
        }
        return tiles[index][option];
    }

    /**
     * Whether an operator's option has more tile events than the limit (the pricer's estimate: two events per compute
     * tile). Alone, such an operator runs with its layer-by-layer mapping instead: walking or scheduling it would take
     * seconds to minutes (the timeline engine prices a single operator whatever its size).
     */
    public boolean oversized(int index, int option) {
        return option != aloneOption() && 2 * tiles(index, option) > maxTasks;
    }

    /** Distinct segments priced so far. */
    public long pricings() {
        return pricer.pricings();
    }

    /** Time spent pricing, milliseconds. */
    public long pricingMillis() {
        return pricer.millis();
    }

    /** The cheapest option of an operator alone: option 0, the layer-by-layer mapping. */
    public static int aloneOption() {
        return 0;
    }

    /** The option of {@code index} with the smallest buffer footprint (the one most likely to fit with others). */
    public int smallestOption(int index) {
        int best = 0;
        for (int o = 1; o < options(index); o++) {
            if (option(index, o).bufferBytes() < option(index, best).bufferBytes()) {
                best = o;
            }
        }
        return best;
    }

    /**
     * Segments (given by their start indexes, ascending, the first 0) and the options of every operator, as
     * operator names and a mapping per compute operator: what {@link PlanAssembler} takes.
     */
    public Fusion fusion(int[] starts, int[] choices) {
        List<List<String>> segments = new ArrayList<>();
        Map<String, Mapping> mappings = new LinkedHashMap<>();
        for (int s = 0; s < starts.length; s++) {
            int to = s + 1 < starts.length ? starts[s + 1] : size();
            List<String> names = new ArrayList<>();
            for (int k = starts[s]; k < to; k++) {
                names.add(operator(k).name());
                int option = to - starts[s] == 1 && oversized(k, choices[k]) ? aloneOption() : choices[k];
                input.mapping(k, option).ifPresent(m -> mappings.put(m.operator(), m));
            }
            segments.add(names);
        }
        return new Fusion(segments, mappings);
    }

    /** Segments as operator names in execution order, and the mapping of every compute operator. */
    public record Fusion(List<List<String>> segments, Map<String, Mapping> mappings) {
    }

    /**
     * Schedules a fusion with the shared step of every fusing planner ({@link PlanAssembler}).
     *
     * @param beatLayerwise whether a fused segment slower than its operators one by one is split
     */
    public Assembly assemble(Fusion fusion, boolean beatLayerwise) {
        PlanAssembler assembler = new PlanAssembler(network(), request.hardware(), layerwise, maxTasks,
                beatLayerwise);
        PlanAssembler.Assembled a = assembler.assemble(fusion.segments(), fusion.mappings());
        return new Assembly(a, assembler.repairs().size());
    }

    /** The assembler's answer and the number of segments it had to split. */
    public record Assembly(PlanAssembler.Assembled assembled, int repairs) {
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> l = new ArrayList<>(to - from);
        for (int k = from; k < to; k++) {
            l.add(k);
        }
        return l;
    }

    private static List<Integer> slice(int[] choices, int from, int to) {
        return Arrays.stream(choices, from, to).boxed().toList();
    }
}
