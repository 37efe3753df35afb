package dev.sfd.common;

import com.google.ortools.Loader;

/**
 * Loads the OR-Tools native library once per JVM (it unpacks into the temp folder on every load), for every
 * CP-SAT model of every stage.
 */
public final class OrToolsNatives {
    private static volatile boolean loaded;

    private OrToolsNatives() {
    }

    public static void ensureLoaded() {
        if (!loaded) {
            synchronized (OrToolsNatives.class) {
                if (!loaded) {
                    Loader.loadNativeLibraries();
                    loaded = true;
                }
            }
        }
    }
}
