package dev.sfd.cli;

import dev.sfd.common.InvalidInputException;
import dev.sfd.mapping.ExhaustiveMapper;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.cpsat.CpSatMapper;
import dev.sfd.mapping.cpsat.CpSatSettings;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The mapper options shared by {@code map} and {@code optimize}. */
final class MapperArgs {
    static final Path DEFAULT_CONFIG = Path.of("solver-configs/mapper-cpsat.yaml");

    @Option(names = "--mapper", defaultValue = "cpsat", paramLabel = "MAPPER",
            description = "Layer mapper: cpsat (exact: a budget its tile relaxation's enumeration proves "
                    + "needs no solve, the others the CP-SAT model), exhaustive (its brute-force twin) or heuristic "
                    + "(random + greedy DSE baseline). Default: ${DEFAULT-VALUE}.")
    String mapperName;

    @Option(names = "--mapper-config", paramLabel = "FILE",
            description = "Mapper settings (workers, seed, time limits, space options); default: "
                    + "solver-configs/mapper-cpsat.yaml when present, else built-in defaults.")
    Path config;

    @Option(names = "--threads", paramLabel = "N", description = "Layers mapped concurrently (default: from the settings).")
    Integer threads;

    CpSatSettings settings() {
        if (config != null) {
            if (!Files.exists(config)) {
                throw new InvalidInputException("--mapper-config", "names (" + config + "), which was not found");
            }
            return CpSatSettings.read(config);
        }
        return Files.isRegularFile(DEFAULT_CONFIG) ? CpSatSettings.read(DEFAULT_CONFIG) : CpSatSettings.DEFAULT;
    }

    Mapper mapper(CpSatSettings settings) {
        return switch (mapperName.toLowerCase(Locale.ROOT)) {
            case "cpsat" -> new CpSatMapper(settings);
            case "exhaustive" -> new ExhaustiveMapper(settings.spaceOptions());
            case "heuristic" -> new HeuristicMapper(settings.spaceOptions(), 2000, settings.seed());
            default -> throw new InvalidInputException("--mapper", "has value (" + mapperName
                    + "); valid mappers are cpsat, exhaustive, heuristic");
        };
    }

    int threads(CpSatSettings settings) {
        int t = threads != null ? threads : settings.threads();
        if (t < 1) {
            throw new InvalidInputException("--threads", "has value (" + t + "); it must be >= 1");
        }
        return t;
    }
}
