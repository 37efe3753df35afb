package dev.sfd.segmentation.timefold;

import dev.sfd.common.Interruption;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import ai.timefold.solver.core.api.score.buildin.hardmediumsoftlong.HardMediumSoftLongScore;
import ai.timefold.solver.core.api.solver.Solver;
import ai.timefold.solver.core.api.solver.SolverFactory;
import ai.timefold.solver.core.config.solver.SolverConfig;
import ai.timefold.solver.core.config.solver.termination.TerminationConfig;

import dev.sfd.common.InvalidInputException;
import dev.sfd.segmentation.SegmentationModel;

/**
 * The Timefold segmenter for large graphs. Segments are contiguous runs of an execution order (the model's
 * topological order, or the order a warm start implies), which makes every segment convex by construction; the
 * solver picks where to cut and which mapping option each operator uses.
 */
public final class TimefoldSegmenter {

    private static final Logger LOGGER = LogManager.getLogger();
    private static final String CONFIG_FOLDER = "solver-configs/";

    private TimefoldSegmenter() {
    }

    /** Solves from scratch (construction heuristic, then local search). */
    public static TimefoldSegmentation solve(SegmentationModel model, TimefoldSettings settings) {
        return solve(model, settings, Optional.empty());
    }

    /**
     * Solves, starting from {@code initial} when given (for example the DP's plan): the construction heuristic
     * then has nothing to do and local search improves the warm start.
     *
     * @throws InvalidInputException if the solver configuration cannot be read or built
     * @throws IllegalArgumentException if the warm start is not a convex plan covering every operator once
     */
    public static TimefoldSegmentation solve(SegmentationModel model, TimefoldSettings settings,
                                             Optional<List<SegmentationModel.Part>> initial) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(initial, "initial");
        SolverConfig config = loadConfig(settings);
        SegmentationPlan problem = initial.map(parts -> SegmentationPlanFactory.warmStart(model, parts))
                .orElseGet(() -> SegmentationPlanFactory.unassigned(model));
        Solver<SegmentationPlan> solver = buildSolver(config, settings.config());
        long startNanos = System.nanoTime();
        SegmentationPlan best = Interruption.solve(solver, problem);
        Duration solveTime = Duration.ofNanos(System.nanoTime() - startNanos);

        List<SegmentationModel.Part> parts = SegmentationPlanFactory.parts(best);
        SegmentationModel.Evaluation evaluation = model.evaluate(parts);
        HardMediumSoftLongScore score = best.getScore();
        boolean feasible = score != null && score.isFeasible() && evaluation.legal();
        String status = feasible ? "FEASIBLE" : "INFEASIBLE";
        LOGGER.info("Segmented ({}) operators into ({}) segments in ({} ms) with Timefold ({}): ({}), score ({})",
                model.operators().size(), parts.size(), solveTime.toMillis(), settings.config(), status, score);
        return new TimefoldSegmentation(parts, evaluation, String.valueOf(score), feasible, solveTime, status,
                settings.config());
    }

    /** Reads the solver XML named by the settings and applies their overrides. */
    static SolverConfig loadConfig(TimefoldSettings settings) {
        String name = settings.config();
        SolverConfig config;
        try {
            Path file = Path.of(name);
            if (name.endsWith(".xml") && Files.isRegularFile(file)) {
                config = SolverConfig.createFromXmlFile(file.toFile());
            } else {
                String resource = resourceName(name);
                if (TimefoldSegmenter.class.getClassLoader().getResource(resource) == null) {
                    throw new InvalidInputException(name, "no such Timefold solver config (tried file '"
                            + new File(name).getAbsolutePath() + "' and resource '" + resource + "')\n"
                            + "Maybe use 'fast', 'thorough' or the path of a solver XML in solver-configs/");
                }
                config = SolverConfig.createFromXmlResource(resource);
            }
        } catch (InvalidInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InvalidInputException(name, "not a valid Timefold solver config: " + rootMessage(e));
        }
        config = config.copyConfig();
        TerminationConfig termination = config.getTerminationConfig() == null
                ? new TerminationConfig() : config.getTerminationConfig().copyConfig();
        // Timefold adds up all the spent-limit fields, so an override clears the others.
        settings.timeLimit().ifPresent(limit -> {
            termination.setDaysSpentLimit(null);
            termination.setHoursSpentLimit(null);
            termination.setMinutesSpentLimit(null);
            termination.setSecondsSpentLimit(null);
            termination.setMillisecondsSpentLimit(null);
            termination.setSpentLimit(limit);
        });
        settings.unimprovedTimeLimit().ifPresent(limit -> {
            termination.setUnimprovedDaysSpentLimit(null);
            termination.setUnimprovedHoursSpentLimit(null);
            termination.setUnimprovedMinutesSpentLimit(null);
            termination.setUnimprovedSecondsSpentLimit(null);
            termination.setUnimprovedMillisecondsSpentLimit(null);
            termination.setUnimprovedSpentLimit(limit);
        });
        if (termination.getSecondsSpentLimit() == null && termination.getSpentLimit() == null
                && termination.getMillisecondsSpentLimit() == null) {
            throw new InvalidInputException(name, "the solver config has no time limit (secondsSpentLimit)\n"
                    + "Maybe add <termination><secondsSpentLimit>10</secondsSpentLimit></termination>");
        }
        config.setTerminationConfig(termination);
        settings.seed().ifPresent(config::setRandomSeed);
        return config;
    }

    private static Solver<SegmentationPlan> buildSolver(SolverConfig config, String name) {
        try {
            SolverFactory<SegmentationPlan> factory = SolverFactory.create(config);
            return factory.buildSolver();
        } catch (RuntimeException e) {
            throw new InvalidInputException(name, "the Timefold solver config cannot be built: " + rootMessage(e));
        }
    }

    private static String resourceName(String name) {
        if (name.endsWith(".xml")) {
            return name.startsWith(CONFIG_FOLDER) ? name : CONFIG_FOLDER + name;
        }
        return CONFIG_FOLDER + "segmenter-timefold-" + name + ".xml";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.lines().findFirst().orElse(message);
    }
}
