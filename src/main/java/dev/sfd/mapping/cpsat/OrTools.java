package dev.sfd.mapping.cpsat;

import com.google.ortools.Loader;

/** Loads the OR-Tools native library once per JVM. */
final class OrTools {
    private static volatile boolean loaded;

    private OrTools() {
    }

    static void ensureLoaded() {
        if (!loaded) {
            synchronized (OrTools.class) {
                if (!loaded) {
                    Loader.loadNativeLibraries();
                    loaded = true;
                }
            }
        }
    }
}
