package dev.sfd.common;

import com.google.ortools.Loader;
import com.sun.jna.Platform;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads the OR-Tools native library once per JVM, for every CP-SAT model of every stage.
 *
 * <p>OR-Tools' own {@link Loader} unpacks about 70 MB of libraries into a new {@code ortools-java*} folder of the
 * temp folder on every JVM start and deletes it only on a normal JVM exit, so every interrupted or killed run left
 * one behind. On Linux and macOS this class unpacks the same files into its own temp folder, loads them, and deletes
 * the folder at once (a loaded library needs no file); the folder is also registered with {@link Interruption} for
 * the moment it exists. Elsewhere, or if that fails, it falls back to {@link Loader#loadNativeLibraries()}.
 */
public final class OrToolsNatives {
    private static final Logger LOGGER = LogManager.getLogger();
    private static volatile boolean loaded;

    private OrToolsNatives() {
    }

    public static void ensureLoaded() {
        if (!loaded) {
            synchronized (OrToolsNatives.class) {
                if (!loaded) {
                    if (!Platform.isWindows() && loadUnpackedAndDelete()) {
                        loaded = true;
                        return;
                    }
                    Loader.loadNativeLibraries();
                    loaded = true;
                }
            }
        }
    }

    /** Unpacks the platform's native folder from the class path, loads the JNI library, deletes the folder. */
    private static boolean loadUnpackedAndDelete() {
        String folder = "ortools-" + Platform.RESOURCE_PREFIX;
        URL url = Loader.class.getClassLoader().getResource(folder + "/");
        if (url == null) {
            return false;
        }
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("sfd-ortools");
            Interruption.deleteOnInterrupt(tmp);
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                FileSystem fs;
                boolean close = false;
                try {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                    close = true;
                } catch (FileSystemAlreadyExistsException e) {
                    fs = FileSystems.getFileSystem(uri);
                }
                try {
                    copyFolder(fs.provider().getPath(uri), tmp);
                } finally {
                    if (close) {
                        fs.close();
                    }
                }
            } else {
                copyFolder(Path.of(uri), tmp);
            }
            System.load(tmp.resolve(System.mapLibraryName("jniortools")).toAbsolutePath().toString());
            return true;
        } catch (IOException | URISyntaxException | RuntimeException | UnsatisfiedLinkError e) {
            LOGGER.debug("Could not load OR-Tools from its own unpacked copy; using OR-Tools' loader", e);
            return false;
        } finally {
            if (tmp != null) {
                Interruption.deleteRecursively(tmp);
                Interruption.forget(tmp);
            }
        }
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(from)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                Files.copy(in, to.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
