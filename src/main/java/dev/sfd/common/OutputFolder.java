package dev.sfd.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --out} folder of a run. {@link #prepare} checks it before any work (a file, or a folder that cannot be
 * created or written, is bad input naming the option); {@link #write} puts all of a run's files into place
 * together: each is written to a hidden temp file in the folder first (deleted if the run is interrupted), then all
 * are renamed inside {@link Interruption#commit}, so the folder holds either the previous run's files or all of
 * this run's, never a mix.
 */
public final class OutputFolder {
    private final Path dir;

    private OutputFolder(Path dir) {
        this.dir = dir;
    }

    /** Checks (and creates) the folder; {@code option} names it in messages, e.g. {@code --out}. */
    public static OutputFolder prepare(Path dir, String option) {
        Path abs = dir.toAbsolutePath();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new InvalidInputException(option, "names (" + dir + "), which is a file, not a folder"
                    + "\n  Maybe give a new folder name: the run writes plan.json, report.json and trace.json into it.");
        }
        try {
            Files.createDirectories(abs);
        } catch (FileAlreadyExistsException e) {
            throw new InvalidInputException(option, "names (" + dir + "), but (" + e.getFile()
                    + ") is a file, not a folder");
        } catch (AccessDeniedException e) {
            throw new InvalidInputException(option, "names (" + dir + "), which cannot be created: permission denied "
                    + "on (" + e.getFile() + ")");
        } catch (IOException e) {
            for (Path a = abs.getParent(); a != null; a = a.getParent()) {
                if (Files.isRegularFile(a)) {
                    throw new InvalidInputException(option, "names (" + dir + "), but (" + a + ") is a file, not a "
                            + "folder");
                }
            }
            throw new InvalidInputException(option, "names (" + dir + "), which cannot be created (" + e + ")");
        }
        Path probe = null;
        try {
            probe = Files.createTempFile(abs, ".sfd-write-check", ".tmp");
        } catch (IOException e) {
            throw new InvalidInputException(option, "names (" + dir + "), a folder this user cannot write to"
                    + (e instanceof AccessDeniedException ? " (permission denied)" : " (" + e + ")"));
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a probe that cannot be deleted is harmless
                }
            }
        }
        return new OutputFolder(abs);
    }

    public Path path() {
        return dir;
    }

    public Path resolve(String name) {
        return dir.resolve(name);
    }

    /** Writes every file (name to content) into the folder, all moved into place together. */
    public void write(Map<String, byte[]> files) {
        Map<Path, Path> staged = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Path tmp = Files.createTempFile(dir, "." + e.getKey() + ".", ".tmp");
                Interruption.deleteOnInterrupt(tmp);
                staged.put(tmp, dir.resolve(e.getKey()));
                Files.write(tmp, e.getValue());
                AtomicFiles.readableByAll(tmp);
            }
            Interruption.commit(() -> {
                List<Path> done = new ArrayList<>();
                for (Map.Entry<Path, Path> e : staged.entrySet()) {
                    move(e.getKey(), e.getValue());
                    done.add(e.getKey());
                }
                return done;
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write into " + dir + ": " + e.getMessage(), e);
        } finally {
            for (Path tmp : staged.keySet()) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // moved already, or gone
                }
                Interruption.forget(tmp);
            }
        }
    }

    private static void move(Path from, Path to) {
        try {
            try {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + to + ": " + e.getMessage(), e);
        }
    }
}
