package dev.sfd.segmentation.timefold;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How to run the Timefold segmenter.
 *
 * @param config {@code "fast"}, {@code "thorough"}, a classpath resource or a path to a Timefold solver XML
 * @param timeLimit overrides the config's {@code secondsSpentLimit}
 * @param unimprovedTimeLimit overrides the config's {@code unimprovedSecondsSpentLimit}
 * @param seed overrides the config's {@code randomSeed}
 */
public record TimefoldSettings(String config, Optional<Duration> timeLimit, Optional<Duration> unimprovedTimeLimit,
                               OptionalLong seed) {

    public TimefoldSettings {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(timeLimit, "timeLimit");
        Objects.requireNonNull(unimprovedTimeLimit, "unimprovedTimeLimit");
        Objects.requireNonNull(seed, "seed");
        timeLimit.ifPresent(TimefoldSettings::requirePositive);
        unimprovedTimeLimit.ifPresent(TimefoldSettings::requirePositive);
    }

    /** {@code solver-configs/segmenter-timefold-fast.xml} as written. */
    public static TimefoldSettings fast() {
        return of("fast");
    }

    /** {@code solver-configs/segmenter-timefold-thorough.xml} as written. */
    public static TimefoldSettings thorough() {
        return of("thorough");
    }

    /** A config by name or path, with its own limits and seed. */
    public static TimefoldSettings of(String config) {
        return new TimefoldSettings(config, Optional.empty(), Optional.empty(), OptionalLong.empty());
    }

    public TimefoldSettings withTimeLimit(Duration limit) {
        return new TimefoldSettings(config, Optional.of(limit), unimprovedTimeLimit, seed);
    }

    public TimefoldSettings withUnimprovedTimeLimit(Duration limit) {
        return new TimefoldSettings(config, timeLimit, Optional.of(limit), seed);
    }

    public TimefoldSettings withSeed(long newSeed) {
        return new TimefoldSettings(config, timeLimit, unimprovedTimeLimit, OptionalLong.of(newSeed));
    }

    private static void requirePositive(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("time limit (" + d + ") must be > 0");
        }
    }
}
