package dev.sfd.schedule.cpsat;

import com.google.ortools.Loader;

/** Loads the OR-Tools native libraries once per JVM. */
final class OrTools {
    private static boolean loaded;

    private OrTools() {
    }

    static synchronized void load() {
        if (!loaded) {
            Loader.loadNativeLibraries();
            loaded = true;
        }
    }
}
