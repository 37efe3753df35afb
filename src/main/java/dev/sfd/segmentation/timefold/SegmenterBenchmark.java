package dev.sfd.segmentation.timefold;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import ai.timefold.solver.benchmark.api.PlannerBenchmarkFactory;
import ai.timefold.solver.benchmark.config.PlannerBenchmarkConfig;
import ai.timefold.solver.benchmark.config.ProblemBenchmarksConfig;
import ai.timefold.solver.benchmark.config.SolverBenchmarkConfig;
import ai.timefold.solver.benchmark.config.statistic.ProblemStatisticType;
import ai.timefold.solver.benchmark.impl.DefaultPlannerBenchmark;
import ai.timefold.solver.benchmark.impl.result.SingleBenchmarkResult;
import ai.timefold.solver.benchmark.impl.result.SolverBenchmarkResult;
import ai.timefold.solver.benchmark.impl.result.SubSingleBenchmarkResult;
import ai.timefold.solver.benchmark.impl.statistic.StatisticPoint;
import ai.timefold.solver.benchmark.impl.statistic.SubSingleStatistic;
import ai.timefold.solver.benchmark.impl.statistic.bestscore.BestScoreStatisticPoint;
import ai.timefold.solver.core.api.score.Score;
import ai.timefold.solver.core.config.solver.SolverConfig;

import dev.sfd.common.InvalidInputException;
import dev.sfd.segmentation.SegmentationModel;

/**
 * Compares Timefold segmenter configurations with the Timefold benchmarker (PlannerBenchmark). The benchmark
 * config is built here from the solver XMLs (one solver benchmark per config, the problems as model files
 * read by {@link SegmentationProblemFileIO}, the best-score statistic on, no warm-up, one benchmark at a
 * time), so the comparison always runs exactly the solver XMLs that {@link TimefoldSegmenter} runs. Every best
 * solution is written next to the report and scored again by {@link SegmentationModel#evaluate(List)}.
 */
public final class SegmenterBenchmark {
    private static final Logger LOGGER = LogManager.getLogger();

    private SegmenterBenchmark() {
    }

    /** A problem to benchmark: a short name (file-name safe) and its model. */
    public record Problem(String name, SegmentationModel model) {
        public Problem {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(model, "model");
            if (!name.matches("[A-Za-z0-9_.@+-]+")) {
                throw new IllegalArgumentException("problem name (" + name + ") must be file-name safe");
            }
        }
    }

    /** A solver configuration under a short name (the report's column). */
    public record Contender(String name, TimefoldSettings settings) {
        public Contender {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(settings, "settings");
        }
    }

    /**
     * One config on one problem.
     *
     * @param bestScore Timefold's best score ({@code hard/medium/soft}: violations, -latency, -energy)
     * @param latencyCycles latency of the best solution under the model
     * @param segments segments of the best solution
     * @param timeToBestMillis when the solver last improved its best score
     * @param spentMillis time the solver ran
     * @param legal the score is feasible and the model finds the solution legal
     */
    public record Cell(String config, String problem, String bestScore, long latencyCycles, int segments,
                       long timeToBestMillis, long spentMillis, boolean legal) {
    }

    /** The HTML report ({@code index.html}) and one cell per config and problem, configs in the given order. */
    public record Result(Path reportFile, List<Cell> cells) {
        public Result {
            cells = List.copyOf(cells);
        }
    }

    /**
     * Runs every contender on every problem, one after another, and writes the report under {@code directory}.
     *
     * @throws InvalidInputException if a solver config cannot be read or has no time limit (checked before
     *         anything runs)
     */
    public static Result run(List<Problem> problems, List<Contender> contenders, Path directory) {
        Objects.requireNonNull(problems, "problems");
        Objects.requireNonNull(contenders, "contenders");
        Objects.requireNonNull(directory, "directory");
        if (problems.isEmpty() || contenders.isEmpty()) {
            throw new IllegalArgumentException("need at least one problem and one config");
        }
        requireUniqueNames(problems.stream().map(Problem::name).toList(), "problem");
        requireUniqueNames(contenders.stream().map(Contender::name).toList(), "config");
        List<SolverBenchmarkConfig> solvers = new ArrayList<>();
        for (Contender c : contenders) {
            SolverConfig config = TimefoldSegmenter.loadConfig(c.settings());
            SolverBenchmarkConfig solver = new SolverBenchmarkConfig();
            solver.setName(c.name());
            solver.setSolverConfig(config);
            solvers.add(solver);
        }

        Path problemFolder = directory.resolve("problems");
        Map<String, SegmentationModel> models = new LinkedHashMap<>();
        List<File> problemFiles = new ArrayList<>();
        try {
            Files.createDirectories(problemFolder);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(problemFolder + ": cannot create the folder", e);
        }
        for (Problem p : problems) {
            File file = problemFolder.resolve(p.name() + ".json").toFile();
            SegmentationProblemFileIO.writeModel(p.model(), file);
            problemFiles.add(file);
            models.put(p.name(), p.model());
        }

        ProblemBenchmarksConfig problemConfig = new ProblemBenchmarksConfig();
        problemConfig.setSolutionFileIOClass(SegmentationProblemFileIO.class);
        problemConfig.setInputSolutionFileList(problemFiles);
        problemConfig.setWriteOutputSolutionEnabled(true);
        problemConfig.setProblemStatisticTypeList(List.of(ProblemStatisticType.BEST_SCORE));
        SolverBenchmarkConfig inherited = new SolverBenchmarkConfig();
        inherited.setProblemBenchmarksConfig(problemConfig);
        inherited.setSubSingleCount(1);

        PlannerBenchmarkConfig benchmarkConfig = new PlannerBenchmarkConfig();
        benchmarkConfig.setName("sfd tune");
        benchmarkConfig.setBenchmarkDirectory(directory.toFile());
        benchmarkConfig.setParallelBenchmarkCount("1");
        benchmarkConfig.setWarmUpSecondsSpentLimit(0L);
        benchmarkConfig.setInheritedSolverBenchmarkConfig(inherited);
        benchmarkConfig.setSolverBenchmarkConfigList(solvers);

        DefaultPlannerBenchmark benchmark = (DefaultPlannerBenchmark) PlannerBenchmarkFactory.create(benchmarkConfig)
                .buildPlannerBenchmark();
        LOGGER.info("Benchmarking ({}) configs on ({}) problems into ({})", contenders.size(), problems.size(),
                directory);
        benchmark.benchmark();

        List<Cell> cells = new ArrayList<>();
        for (SolverBenchmarkResult solver : benchmark.getPlannerBenchmarkResult().getSolverBenchmarkResultList()) {
            for (SingleBenchmarkResult single : solver.getSingleBenchmarkResultList()) {
                String problem = single.getProblemBenchmarkResult().getName();
                cells.add(cell(solver.getName(), problem, models.get(problem),
                        single.getSubSingleBenchmarkResultList().get(0)));
            }
        }
        Path report = benchmark.getBenchmarkReport().getHtmlOverviewFile().toPath();
        return new Result(report, cells);
    }

    private static Cell cell(String config, String problem, SegmentationModel model, SubSingleBenchmarkResult run) {
        Score<?> score = run.getScore();
        File partsFile = new File(run.getResultDirectory(),
                problem + "." + SegmentationProblemFileIO.PARTS_EXTENSION);
        long latency = Long.MAX_VALUE;
        int segments = 0;
        boolean legal = false;
        if (Boolean.TRUE.equals(run.getSucceeded()) && partsFile.isFile()) {
            List<SegmentationModel.Part> parts = SegmentationProblemFileIO.readParts(partsFile);
            SegmentationModel.Evaluation evaluation = model.evaluate(parts);
            latency = evaluation.latencyCycles();
            segments = parts.size();
            legal = evaluation.legal() && score != null && score.isFeasible();
        }
        long timeToBest = timeToBestMillis(run).orElse(run.getTimeMillisSpent());
        return new Cell(config, problem, String.valueOf(score), latency, segments, timeToBest,
                run.getTimeMillisSpent(), legal);
    }

    /** The time of the last point of the best-score statistic (the statistic is kept on disk after the run). */
    private static OptionalLong timeToBestMillis(SubSingleBenchmarkResult run) {
        SubSingleStatistic<?, ?> statistic = run.getSubSingleStatistic(ProblemStatisticType.BEST_SCORE);
        if (statistic == null) {
            return OptionalLong.empty();
        }
        if (statistic.getPointList() == null) {
            statistic.unhibernatePointList();
        }
        List<? extends StatisticPoint> points = Optional.ofNullable(statistic.getPointList()).orElse(List.of());
        return points.isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(((BestScoreStatisticPoint) points.get(points.size() - 1)).getTimeMillisSpent());
    }

    private static void requireUniqueNames(List<String> names, String what) {
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new IllegalArgumentException("two " + what + "s are named (" + n + ")");
            }
        }
    }
}
