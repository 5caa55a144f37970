package io.consentgate.internal

/**
 * Native entry points that only the JVM tests and benchmarks call (`src/jni/test_hooks.rs`).
 * The library apps ship does not export them: they exist in a library built with the cargo
 * feature `test-hooks` (`cargo build --release --lib --features test-hooks`, which
 * `scripts/test.sh` and `scripts/bench-jvm.sh` do). Compiled with the tests and the benchmarks,
 * never into the wrapper.
 */
internal object NativeTestHooks {
    init {
        NativeLibrary.load()
    }

    /**
     * Does nothing and returns false: the honest floor for [Native.isAllowed] in the benchmarks.
     * The same signature and the same native shape (plain function, `catch_unwind`, no JNIEnv),
     * so a benchmark can say what the transition itself costs and what the lookup adds.
     */
    @JvmStatic external fun emptyCall(
        handle: Long,
        index: Int,
    ): Boolean

    /** Panics inside the core on purpose (0: text, 1: formatted text, else: no text): always throws InternalErrorException. */
    @JvmStatic external fun selfTestPanic(kind: Int): Long

    /** The same on the hot path's shape: always false. */
    @JvmStatic external fun selfTestPanicHot(kind: Int): Boolean

    /** Fails with how to build the library with the hooks, if the loaded one has none. */
    @JvmStatic
    fun requireHooks() {
        try {
            emptyCall(0, 0)
        } catch (e: UnsatisfiedLinkError) {
            throw AssertionError(
                "the loaded libconsentgate.so has no test hooks: build it with `cargo build --release --lib --features test-hooks`",
                e,
            )
        }
    }
}
