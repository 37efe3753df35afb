package dev.sfd.hardware;

import dev.sfd.common.Fields;
import dev.sfd.common.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Resolves a hardware argument: a preset name ({@code edge}, {@code cloud}, ...) or a file path. Presets are
 * the YAML files of {@code models/hardware/}, also packaged on the class path.
 */
public final class HardwareCatalog {
    public static final List<String> PRESETS = List.of("edge", "cloud", "soma-edge", "soma-cloud", "simba-like",
            "eyeriss-like", "tpu-like", "tiny");

    private HardwareCatalog() {
    }

    public static Hardware resolve(String nameOrPath) {
        if (PRESETS.contains(nameOrPath)) {
            return preset(nameOrPath);
        }
        Path p = Path.of(nameOrPath);
        if (Files.exists(p)) {
            return HardwareReader.read(p); // a folder or an unreadable file is reported by the reader
        }
        String guess = Fields.closest(nameOrPath, PRESETS);
        throw new InvalidInputException(nameOrPath, "not found: it is neither a hardware preset nor an existing file; "
                + "presets are " + PRESETS + (guess == null ? "" : "\n  Maybe you meant '" + guess + "'."));
    }

    public static Hardware preset(String name) {
        String resource = "/hardware/" + name + ".yaml";
        try (InputStream in = HardwareCatalog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("preset " + name + " is missing from the class path (" + resource + ")");
            }
            return HardwareReader.parse("models/hardware/" + name + ".yaml",
                    new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read preset " + name, e);
        }
    }
}
