package io.consentgate.internal

import java.io.File
import java.nio.file.Files
import java.nio.file.StandardCopyOption

/**
 * Loads the Rust core (`libconsentgate.so`) once per class loader.
 *
 * On a device the library comes from the APK: `System.loadLibrary("consentgate")`.
 *
 * On the host JVM (Robolectric tests) the system property [PATH_PROPERTY] names the host-built
 * library. A native library can be bound to only one class loader per JVM, and Robolectric makes
 * one class loader per API level, so each load uses its own fresh temporary copy of the file;
 * loading the original path directly would fail at the second API level with
 * "already loaded in another classloader".
 */
internal object NativeLibrary {
    const val LIBRARY_NAME = "consentgate"
    const val PATH_PROPERTY = "consentgate.native.path"

    private val lock = Any()

    @Volatile
    private var loaded = false

    /** Idempotent and thread-safe; a failed load throws and is retried by the next call. */
    fun load() {
        if (loaded) return
        synchronized(lock) {
            if (loaded) return
            val hostPath = System.getProperty(PATH_PROPERTY)
            if (hostPath.isNullOrEmpty()) {
                System.loadLibrary(LIBRARY_NAME)
            } else {
                loadPrivateCopy(File(hostPath))
            }
            loaded = true
        }
    }

    private fun loadPrivateCopy(source: File) {
        if (!source.isFile) {
            throw UnsatisfiedLinkError(
                "$PATH_PROPERTY=${source.absoluteFile.normalize()}: no such file (build it with `cargo build --release --lib`)",
            )
        }
        val copy = File.createTempFile("lib$LIBRARY_NAME-", ".so")
        copy.deleteOnExit()
        try {
            Files.copy(source.toPath(), copy.toPath(), StandardCopyOption.REPLACE_EXISTING)
            System.load(copy.absolutePath)
        } finally {
            // Once mapped the file is no longer needed (POSIX); deleteOnExit covers other systems.
            copy.delete()
        }
    }
}
