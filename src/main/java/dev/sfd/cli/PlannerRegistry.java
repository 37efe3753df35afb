package dev.sfd.cli;

import dev.sfd.common.Fields;
import dev.sfd.common.InvalidInputException;
import dev.sfd.planner.LayerwisePlanner;
import dev.sfd.planner.Planner;
import dev.sfd.planner.SfdPlanner;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The planners {@code --planner} can name. Other planners (the SFD planner) register here. */
public final class PlannerRegistry {
    private static final Map<String, Supplier<Planner>> PLANNERS = new LinkedHashMap<>();

    static {
        register("sfd", SfdPlanner::new);
        register("layerwise", LayerwisePlanner::new);
    }

    private PlannerRegistry() {
    }

    public static synchronized void register(String name, Supplier<Planner> factory) {
        PLANNERS.put(name, factory);
    }

    public static synchronized List<String> names() {
        return List.copyOf(PLANNERS.keySet());
    }

    public static synchronized Planner resolve(String name) {
        Supplier<Planner> f = PLANNERS.get(name);
        if (f == null) {
            String guess = Fields.closest(name, PLANNERS.keySet());
            throw new InvalidInputException("--planner", "has value (" + name + "); planners are " + names()
                    + (guess == null ? "" : "\n  Maybe you meant '" + guess + "'."));
        }
        return f.get();
    }
}
