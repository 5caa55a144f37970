package io.consentgate

/**
 * The engine's answer for one purpose. Kotlin: `when (d) { is Decision.Allowed -> ...; is
 * Decision.NeedsConsent -> ...; is Decision.Blocked -> ... }`. Java: `instanceof`, or
 * [isAllowed]. `Allowed` still means the app must check the OS grant before using the
 * permission.
 */
public sealed class Decision {
    /** True only for [Allowed]. */
    public abstract val isAllowed: Boolean

    /** Consent is on record for the purpose as currently worded. */
    public data object Allowed : Decision() {
        override val isAllowed: Boolean get() = true
    }

    /** Show the rationale and ask. */
    public data class NeedsConsent(
        val reason: ConsentReason,
    ) : Decision() {
        override val isAllowed: Boolean get() = false
    }

    /**
     * Do not ask, do not use. [untilMs] (UTC milliseconds) is when the cooldown ends for
     * [BlockReason.COOLDOWN], and 0 for every other reason.
     */
    public data class Blocked(
        val reason: BlockReason,
        val untilMs: Long,
    ) : Decision() {
        override val isAllowed: Boolean get() = false
    }

    internal companion object {
        private val NEVER_ASKED = NeedsConsent(ConsentReason.NEVER_ASKED)
        private val STALE = NeedsConsent(ConsentReason.STALE)
        private val ASK_AGAIN = NeedsConsent(ConsentReason.ASK_AGAIN)
        private val POLICY_NOT_ACCEPTED = Blocked(BlockReason.POLICY_NOT_ACCEPTED, 0)
        private val GUARDIAN_REQUIRED = Blocked(BlockReason.GUARDIAN_REQUIRED, 0)
        private val STORAGE = Blocked(BlockReason.STORAGE, 0)

        /**
         * Unpacks the native `long` (`src/jni/wire.rs`): bits 56..63 the core's decision code,
         * bits 0..55 the cooldown end as a signed 56-bit number.
         */
        fun fromWire(packed: Long): Decision =
            when (val code = (packed ushr 56).toInt()) {
                0 -> Allowed
                1 -> NEVER_ASKED
                2 -> STALE
                3 -> ASK_AGAIN
                10 -> POLICY_NOT_ACCEPTED
                11 -> GUARDIAN_REQUIRED
                12 -> Blocked(BlockReason.COOLDOWN, (packed shl 8) shr 8)
                13 -> STORAGE
                else -> throw InternalErrorException("unknown decision code $code from the native core")
            }
    }
}
