package dev.sfd.cli;

import dev.sfd.common.Fields;
import dev.sfd.common.InvalidInputException;
import dev.sfd.mapping.Mapper;
import dev.sfd.planner.LayerwisePlanner;
import dev.sfd.planner.ProgressListener;
import dev.sfd.planner.Planner;
import dev.sfd.planner.SfdPlanner;
import dev.sfd.planner.baseline.AnnealPlanner;
import dev.sfd.planner.baseline.BaselineSettings;
import dev.sfd.planner.baseline.GeneticPlanner;
import dev.sfd.planner.baseline.GreedyPlanner;
import dev.sfd.planner.baseline.LayerwiseFusedPlanner;
import dev.sfd.planner.baseline.TemplatePlanner;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The planners {@code --planner} and {@code compare --planners} can name: SFD, layer by layer and the fusion baselines. */
public final class PlannerRegistry {
    private static final Map<String, Function<Mapper, Planner>> PLANNERS = new LinkedHashMap<>();

    static {
        register("sfd", mapper -> new SfdPlanner(mapper, SfdPlanner.Options.defaults(), ProgressListener.NONE));
        register("layerwise", LayerwisePlanner::new);
        register("layerwise-fused", mapper -> new LayerwiseFusedPlanner(mapper, BaselineSettings.defaults()));
        register("template", mapper -> new TemplatePlanner(mapper, BaselineSettings.defaults()));
        register("greedy", mapper -> new GreedyPlanner(mapper, BaselineSettings.defaults()));
        register("anneal", mapper -> new AnnealPlanner(mapper, BaselineSettings.defaults()));
        register("genetic", mapper -> new GeneticPlanner(mapper, BaselineSettings.defaults()));
    }

    private PlannerRegistry() {
    }

    public static synchronized void register(String name, Function<Mapper, Planner> factory) {
        PLANNERS.put(name, factory);
    }

    public static synchronized List<String> names() {
        return List.copyOf(PLANNERS.keySet());
    }

    /** The planner called {@code name}, mapping layers with {@code mapper}. */
    public static synchronized Planner resolve(String name, Mapper mapper) {
        Function<Mapper, Planner> f = PLANNERS.get(name);
        if (f == null) {
            String guess = Fields.closest(name, PLANNERS.keySet());
            throw new InvalidInputException("--planner", "has value (" + name + "); planners are " + names()
                    + (guess == null ? "" : "\n  Maybe you meant '" + guess + "'."));
        }
        return f.apply(mapper);
    }
}
