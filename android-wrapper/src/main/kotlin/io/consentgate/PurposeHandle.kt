package io.consentgate

import android.app.Activity
import kotlin.coroutines.resume
import kotlin.coroutines.suspendCoroutine

/**
 * One declared purpose, resolved once ([ConsentGate.purpose]) for the check at the point of use.
 * [isAllowed] costs a cached boolean and one native call over primitives: no string crosses JNI,
 * no map is searched, nothing touches the disk.
 */
public class PurposeHandle internal constructor(
    private val gate: ConsentGate,
    /** The purpose id, as declared in the policy. */
    public val id: String,
    /** Its position in the policy. */
    public val index: Int,
) {
    private val engine: ConsentEngine = gate.engineForSdk

    /**
     * Whether the OS grants satisfy this purpose, as the gate's last [ConsentGate.refresh] found
     * them (false until then, and while the privacy policy is not accepted). Kept here, next to
     * the index, so the hot path reads one field of the handle instead of the gate's array.
     */
    @Volatile
    @get:JvmSynthetic
    @set:JvmSynthetic
    internal var osGranted: Boolean = false

    /**
     * May the app use this purpose now: consent on record for its current wording AND the OS
     * grants it needs. False for anything else, including a closed gate and an unreadable journal.
     */
    public fun isAllowed(): Boolean {
        if (!osGranted) return false
        return try {
            engine.isAllowed(index)
        } catch (e: EngineClosedException) {
            false
        }
    }

    /** [ConsentGate.request] for this purpose. */
    public fun request(
        activity: Activity,
        callback: RequestCallback,
    ): Unit = gate.request(activity, id, callback)

    /** [ConsentGate.request] for this purpose, for Kotlin coroutines. */
    @JvmSynthetic
    public suspend fun request(activity: Activity): RequestResult =
        suspendCoroutine { cont -> gate.request(activity, id) { cont.resume(it) } }

    /** [ConsentGate.withdraw] for this purpose. */
    public fun withdraw(): Withdrawal = gate.withdraw(id)

    override fun toString(): String = "PurposeHandle($id)"
}
