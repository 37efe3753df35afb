package dev.sfd.cli;

import dev.sfd.common.InvalidInputException;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.MappingInfeasibleException;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.SegmentationModelBuilder;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.segmentation.dp.DpSegmenter;
import dev.sfd.segmentation.timefold.SegmenterBenchmark;
import dev.sfd.segmentation.timefold.TimefoldSettings;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code sfd tune NETWORK... --hw HW [--configs a.xml,b.xml] [--time-limit S] [--out DIR]}: runs the Timefold
 * benchmarker over the segmentation models of the given networks with each Timefold solver config, writes its
 * HTML report into DIR and prints config x network: best score, latency, time to best, legal, with the exact
 * DP's latency on the same model as the reference. The benchmark config is generated from the solver XMLs
 * ({@link SegmenterBenchmark}); there is no benchmark XML to keep in step. Exit 0 when every result is legal,
 * 1 when one is not (or a layer fits nowhere), 2 on bad input.
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = "Compare Timefold segmenter configs with the Timefold benchmarker (HTML report + table), "
                + "with the exact DP as the reference.")
public final class TuneCommand implements Callable<Integer> {
    private static final Logger LOGGER = LogManager.getLogger();
    private static final Path CONFIG_FOLDER = Path.of("solver-configs");
    private static final String CONFIG_PREFIX = "segmenter-timefold-";
    private static final List<String> BUNDLED_CONFIGS = List.of("fast", "thorough");

    @Parameters(arity = "1..*", paramLabel = "NETWORK", description = "Zoo names (e.g. bert_base) or network files.")
    List<String> networks;

    @Option(names = "--hw", required = true, paramLabel = "HARDWARE", description = "Hardware preset or file.")
    String hardware;

    @Option(names = "--configs", split = ",", paramLabel = "CONFIG",
            description = "Timefold solver XMLs (paths, or fast / thorough); default: every Timefold solver XML in "
                    + "solver-configs/ (fast and thorough when there is no such folder).")
    List<String> configs;

    @Option(names = "--time-limit", paramLabel = "S",
            description = "Seconds per solver run (overrides each config's secondsSpentLimit).")
    Double timeLimitSeconds;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Report folder; default benchmarks/results/tune-<timestamp>/.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (timeLimitSeconds != null && !(timeLimitSeconds > 0)) {
                throw new InvalidInputException("--time-limit", "has value (" + timeLimitSeconds
                        + "); it must be > 0 seconds");
            }
            List<SegmenterBenchmark.Contender> contenders = contenders();
            Hardware hw = HardwareCatalog.resolve(hardware);
            List<SegmenterBenchmark.Problem> problems = new ArrayList<>();
            Map<String, Segmentation> reference = new LinkedHashMap<>();
            Set<String> names = new HashSet<>();
            for (String network : networks) {
                Network net = NetworkCatalog.resolve(network);
                SegmentationModel model = new SegmentationModelBuilder(net, hw)
                        .build(NetworkMapper.map(new HeuristicMapper(), net, hw, 2)).model();
                String name = uniqueName(problemName(network), names);
                problems.add(new SegmenterBenchmark.Problem(name, model));
                reference.put(name, new DpSegmenter().segment(model, SegmenterSettings.defaults()));
            }
            Path folder = out != null ? out : Path.of("benchmarks", "results",
                    "tune-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            SegmenterBenchmark.Result result = SegmenterBenchmark.run(problems, contenders, folder);
            printTable(stdout, result, reference);
            stdout.println("report: " + result.reportFile());
            stdout.flush();
            List<String> illegal = result.cells().stream().filter(c -> !c.legal())
                    .map(c -> c.config() + " on " + c.problem()).toList();
            if (!illegal.isEmpty()) {
                err.println("no legal plan: " + String.join(", ", illegal));
                err.flush();
                return SfdCommand.FAILED;
            }
            return SfdCommand.OK;
        } catch (InvalidInputException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return SfdCommand.BAD_INPUT;
        } catch (MappingInfeasibleException e) {
            LOGGER.debug("infeasible", e);
            err.println("infeasible: " + e.getMessage());
            err.flush();
            return SfdCommand.FAILED;
        }
    }

    /** The configs to compare, named after their file (segmenter-timefold-fast.xml -> fast). */
    private List<SegmenterBenchmark.Contender> contenders() {
        List<String> chosen = configs != null && !configs.isEmpty() ? configs : defaultConfigs();
        List<SegmenterBenchmark.Contender> contenders = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String config : chosen) {
            String trimmed = config.trim();
            if (trimmed.endsWith(".xml") && !Files.isRegularFile(Path.of(trimmed))
                    && TuneCommand.class.getClassLoader().getResource(resourceOf(trimmed)) == null) {
                throw new InvalidInputException(trimmed, "no such Timefold solver config (file '"
                        + Path.of(trimmed).toAbsolutePath() + "' does not exist)\n"
                        + "Maybe use 'fast', 'thorough' or the path of a solver XML in solver-configs/");
            }
            TimefoldSettings settings = TimefoldSettings.of(trimmed);
            if (timeLimitSeconds != null) {
                settings = settings.withTimeLimit(Duration.ofMillis(Math.max(1, Math.round(timeLimitSeconds * 1000))));
            }
            contenders.add(new SegmenterBenchmark.Contender(uniqueName(configName(trimmed), names), settings));
        }
        return contenders;
    }

    private static String resourceOf(String xml) {
        return xml.startsWith("solver-configs/") ? xml : "solver-configs/" + xml;
    }

    /** Every Timefold solver XML (root element {@code <solver>}) in ./solver-configs, else the bundled ones. */
    static List<String> defaultConfigs() {
        if (!Files.isDirectory(CONFIG_FOLDER)) {
            return BUNDLED_CONFIGS;
        }
        try (Stream<Path> files = Files.list(CONFIG_FOLDER)) {
            List<String> found = files.filter(f -> f.getFileName().toString().endsWith(".xml"))
                    .filter(TuneCommand::isSolverConfig).map(Path::toString).sorted().toList();
            return found.isEmpty() ? BUNDLED_CONFIGS : found;
        } catch (IOException e) {
            throw new UncheckedIOException(CONFIG_FOLDER + ": cannot list the solver configs", e);
        }
    }

    private static boolean isSolverConfig(Path xml) {
        try (InputStream in = Files.newInputStream(xml)) {
            XMLInputFactory factory = XMLInputFactory.newFactory();
            factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
            XMLStreamReader reader = factory.createXMLStreamReader(in);
            while (reader.hasNext()) {
                if (reader.next() == XMLStreamReader.START_ELEMENT) {
                    return reader.getLocalName().equals("solver");
                }
            }
            return false;
        } catch (IOException | XMLStreamException e) {
            LOGGER.warn("Skipping ({}): not readable XML ({})", xml, e.getMessage());
            return false;
        }
    }

    static String configName(String config) {
        String base = Path.of(config).getFileName().toString();
        if (base.endsWith(".xml")) {
            base = base.substring(0, base.length() - 4);
        }
        if (base.startsWith(CONFIG_PREFIX) && base.length() > CONFIG_PREFIX.length()) {
            base = base.substring(CONFIG_PREFIX.length());
        }
        return sanitize(base);
    }

    private static String problemName(String network) {
        String base = Path.of(network).getFileName().toString();
        int dot = base.lastIndexOf('.');
        return sanitize(dot > 0 ? base.substring(0, dot) : base);
    }

    private static String sanitize(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_.+-]", "_");
        return s.isEmpty() ? "_" : s;
    }

    private static String uniqueName(String name, Set<String> taken) {
        String candidate = name;
        for (int i = 2; !taken.add(candidate); i++) {
            candidate = name + "-" + i;
        }
        return candidate;
    }

    private static void printTable(PrintWriter out, SegmenterBenchmark.Result result,
                                   Map<String, Segmentation> reference) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"config", "network", "best score", "latency (cycles)", "vs DP", "segments",
            "to best (s)", "spent (s)", "legal"});
        for (Map.Entry<String, Segmentation> e : reference.entrySet()) {
            String problem = e.getKey();
            Segmentation dp = e.getValue();
            long dpLatency = dp.evaluation().latencyCycles();
            for (SegmenterBenchmark.Cell c : result.cells()) {
                if (!c.problem().equals(problem)) {
                    continue;
                }
                boolean scored = c.latencyCycles() != Long.MAX_VALUE;
                rows.add(new String[] {c.config(), problem, c.bestScore(),
                    scored ? Format.count(c.latencyCycles()) : "-",
                    scored && dp.feasible() ? String.format(Locale.ROOT, "%+.3f%%",
                            100.0 * (c.latencyCycles() - dpLatency) / dpLatency) : "-",
                    String.valueOf(c.segments()), seconds(c.timeToBestMillis()), seconds(c.spentMillis()),
                    c.legal() ? "yes" : "NO"});
            }
            rows.add(new String[] {"dp (reference)", problem, dp.status().toString(),
                dp.feasible() ? Format.count(dpLatency) : "-", "-", String.valueOf(dp.parts().size()), "-",
                seconds(dp.wallMillis()), dp.feasible() ? "yes" : "NO"});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                String pad = " ".repeat(widths[i] - row[i].length());
                // Text columns left-aligned, figures right-aligned.
                line.append(i < 3 ? row[i] + pad : pad + row[i]).append(i + 1 < row.length ? "  " : "");
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f", millis / 1000.0);
    }
}
