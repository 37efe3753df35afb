package dev.sfd.segmentation.cpsat;

import com.google.ortools.Loader;

/**
 * Loads the OR-Tools native library once per JVM. The mapper has its own holder, package-private in
 * {@code dev.sfd.mapping.cpsat}; loading twice is harmless, so the segmenter keeps a twin instead of
 * widening the mapper's API.
 */
final class OrToolsNative {
    private static volatile boolean loaded;

    private OrToolsNative() {
    }

    static void ensureLoaded() {
        if (!loaded) {
            synchronized (OrToolsNative.class) {
                if (!loaded) {
                    Loader.loadNativeLibraries();
                    loaded = true;
                }
            }
        }
    }
}
