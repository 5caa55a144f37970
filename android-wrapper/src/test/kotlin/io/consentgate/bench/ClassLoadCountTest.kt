package io.consentgate.bench

import io.consentgate.ConsentEngine
import io.consentgate.ConsentGate
import org.junit.After
import org.junit.Assert.assertFalse
import org.junit.Assume.assumeTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config

/**
 * Not a test: the steps `scripts/bench-classes.sh` counts the classes of (JVM class-load log,
 * `-Xlog:class+load`), between marker classes loaded before and after each step. Skipped unless
 * that script runs it (`-Dconsentgate.classcount=1`).
 *
 * Step 1 is `ConsentEngine.open` + its first `isAllowed`; step 2, in the same JVM, is
 * `ConsentGate.init` + its first `isAllowed`: what the facade loads beyond the engine.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34])
class ClassLoadCountTest {
    @get:Rule val folder = TemporaryFolder()

    @After
    fun closeGate() {
        ConsentGate.getOrNull()?.close()
    }

    @Test
    fun engineThenFacade() {
        assumeTrue(System.getProperty("consentgate.classcount") == "1")
        val app = RuntimeEnvironment.getApplication()
        val policy = app.assets.open(ConsentGate.DEFAULT_POLICY_ASSET).use { it.readBytes().toString(Charsets.UTF_8) }
        val dir = folder.newFolder("engine")

        EngineStart.mark()
        val engine = ConsentEngine.open(policy, dir)
        val engineAllowed = engine.isAllowed(0)
        EngineEnd.mark()
        engine.close()

        FacadeStart.mark()
        val gate = ConsentGate.init(app)
        val gateAllowed = gate.isAllowed(gate.purposeIds[0])
        FacadeEnd.mark()

        assertFalse("a fresh journal allows nothing", engineAllowed || gateAllowed)
    }

    // Loading each marker class writes a line to the class-load log.
    private object EngineStart {
        fun mark() = Unit
    }

    private object EngineEnd {
        fun mark() = Unit
    }

    private object FacadeStart {
        fun mark() = Unit
    }

    private object FacadeEnd {
        fun mark() = Unit
    }
}
