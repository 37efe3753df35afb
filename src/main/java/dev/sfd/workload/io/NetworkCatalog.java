package dev.sfd.workload.io;

import dev.sfd.common.Fields;
import dev.sfd.common.InvalidInputException;
import dev.sfd.workload.Network;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Resolves a network argument: a zoo name ({@code resnet50}, ...) or a file path. Zoo files are those of
 * {@code models/networks/}, packaged on the class path and read by the same reader as user files. Other
 * file formats (ONNX) register an importer by extension.
 */
public final class NetworkCatalog {
    public static final List<String> ZOO = List.of("resnet18", "resnet50", "mobilenet_v2", "vgg16", "vgg19",
            "bert_base", "bert_base_s512", "gpt2_small", "vit_b16");

    private static final Map<String, BiFunction<Path, Integer, Network>> IMPORTERS = new ConcurrentHashMap<>();

    private NetworkCatalog() {
    }

    /** Registers a reader for files ending in {@code extension} (e.g. ".onnx"). */
    public static void registerImporter(String extension, BiFunction<Path, Integer, Network> importer) {
        IMPORTERS.put(extension.toLowerCase(Locale.ROOT), importer);
    }

    public static Network resolve(String nameOrPath) {
        return resolve(nameOrPath, null);
    }

    /** @param batch batch size overriding the file's, or null */
    public static Network resolve(String nameOrPath, Integer batch) {
        if (ZOO.contains(nameOrPath)) {
            return zoo(nameOrPath, batch);
        }
        Path p = Path.of(nameOrPath);
        if (Files.isDirectory(p)) {
            throw new InvalidInputException(nameOrPath, "is a folder, not a network file");
        }
        if (!Files.isRegularFile(p)) {
            String guess = Fields.closest(nameOrPath, ZOO);
            throw new InvalidInputException(nameOrPath, "not found: it is neither a zoo network nor an existing file; "
                    + "zoo networks are " + ZOO + (guess == null ? "" : "\n  Maybe you meant '" + guess + "'."));
        }
        String lower = p.getFileName().toString().toLowerCase(Locale.ROOT);
        for (Map.Entry<String, BiFunction<Path, Integer, Network>> e : IMPORTERS.entrySet()) {
            if (lower.endsWith(e.getKey())) {
                return e.getValue().apply(p, batch);
            }
        }
        if (!(lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json"))) {
            List<String> known = new ArrayList<>(List.of(".yaml", ".yml", ".json"));
            known.addAll(IMPORTERS.keySet());
            throw new InvalidInputException(nameOrPath, "has an unknown extension; networks are read from " + known);
        }
        return NetworkReader.read(p, batch);
    }

    public static Network zoo(String name, Integer batch) {
        String resource = "/networks/" + name + ".yaml";
        try (InputStream in = NetworkCatalog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("zoo network " + name + " is missing from the class path");
            }
            return NetworkReader.parse("models/networks/" + name + ".yaml",
                    new String(in.readAllBytes(), StandardCharsets.UTF_8), batch);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read zoo network " + name, e);
        }
    }
}
