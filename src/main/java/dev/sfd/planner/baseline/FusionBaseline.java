package dev.sfd.planner.baseline;

import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.mapping.NetworkMapping;
import dev.sfd.planner.PlanAssembler;
import dev.sfd.planner.PlanRequest;
import dev.sfd.planner.Planner;
import dev.sfd.schedule.Plan;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.Objects;

/**
 * A fusion baseline: the mapper's fronts, then a segmentation of the network with one mapping option per operator
 * chosen in the {@link SearchSpace} (the SFD planner's segmentation model, priced by the same timeline engine),
 * then {@link PlanAssembler}, the step every fusing planner ends with. Subclasses only choose the segmentation.
 */
public abstract class FusionBaseline implements Planner {
    private static final Logger LOGGER = LogManager.getLogger();

    private final Mapper mapper;
    private final BaselineSettings settings;

    protected FusionBaseline(Mapper mapper, BaselineSettings settings) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public BaselineSettings settings() {
        return settings;
    }

    /** The segmentation a baseline chose: segment starts (ascending, the first 0) and one option per operator. */
    protected record Choice(int[] starts, int[] choices, long evaluations, String stop) {
    }

    /** Chooses segments and options. */
    protected abstract Choice choose(SearchSpace space, Scorer scorer);

    /**
     * Whether the assembler splits a fused segment that schedules slower than its operators one by one (every
     * baseline does: a fused group the scheduler runs slower than layer by layer would make the baseline weaker than
     * the layer-by-layer plan it starts from).
     */
    protected boolean beatLayerwise() {
        return true;
    }

    @Override
    public Plan plan(PlanRequest request) {
        return planWithDetails(request).plan();
    }

    /** Maps the network, then plans. */
    public BaselineResult planWithDetails(PlanRequest request) {
        NetworkMapping mapping = NetworkMapper.map(mapper, request.network(), request.hardware(),
                settings.mapperThreads());
        return planWithDetails(request, mapping);
    }

    /** Plans from fronts already mapped (so that several planners compared on one problem share them). */
    public BaselineResult planWithDetails(PlanRequest request, NetworkMapping mapping) {
        long start = System.nanoTime();
        SearchSpace space = new SearchSpace(request, mapping, settings.maxTasks(), settings.maxSegmentLength());
        LOGGER.debug("Search space of ({}) built in ({} ms)", request.network().name(),
                (System.nanoTime() - start) / 1_000_000);
        Scorer scorer = new Scorer(space, settings.evaluations(), start
                + (long) (settings.timeLimitSeconds() * 1e9));
        Choice c = choose(space, scorer);
        long searchCycles = Math.round(scorer.score(c.starts(), c.choices()));
        long searched = System.nanoTime();
        SearchSpace.Fusion fusion = space.fusion(c.starts(), c.choices());
        SearchSpace.Assembly a = space.assemble(fusion, beatLayerwise());
        LOGGER.debug("Assembled in ({} ms); pricing took ({} ms)", (System.nanoTime() - searched) / 1_000_000,
                space.pricingMillis());
        Plan plan = new Plan(request.networkRef(), request.hardware(), name(), "HEURISTIC",
                a.assembled().mappings(), a.assembled().schedules());
        long millis = (System.nanoTime() - start) / 1_000_000;
        LOGGER.info("Planner ({}) on ({}): ({}) segments, ({}) split by the scheduler, predicted ({} cycles), "
                        + "({}) evaluations, ({}) segments priced, stopped: {}, ({} ms)", name(),
                request.network().name(), c.starts().length, a.repairs(), searchCycles, c.evaluations(),
                space.pricings(), c.stop(), millis);
        return new BaselineResult(plan, fusion.segments(), searchCycles, a.repairs(), c.evaluations(),
                space.pricings(), c.stop(),
                millis);
    }
}
