package io.consentgate

/**
 * A private-data access that no consent covers, seen at run time (see
 * [ConsentGate.addAccessViolationListener]).
 *
 * @property op the app-op Android noted (`android:coarse_location`, `android:camera`, ...); for
 *   [Reason.GRANTED_WITHOUT_CONSENT] the op of [permission].
 * @property permission the runtime permission behind [op], when there is one.
 * @property attributionTag the attribution tag of the access (null: the app's default).
 * @property stack the calling code, innermost first, as `class.method` (empty when Android
 *   reported the access later, without a stack). Code names only: no data, no arguments.
 * @property reason why no consent covers it.
 */
public class AccessViolation(
    public val op: String,
    public val permission: String?,
    public val attributionTag: String?,
    public val stack: List<String>,
    public val reason: Reason,
) {
    /** Why an access is a violation. */
    public enum class Reason {
        /** Before the privacy policy of the current version was accepted. */
        POLICY_NOT_ACCEPTED,

        /** No allowed purpose declares a permission behind the op (none declares it, or none is allowed now). */
        NO_ALLOWED_PURPOSE,

        /** Below API 30 (no auditing): Android grants the permission but no current consent covers it. */
        GRANTED_WITHOUT_CONSENT,
    }

    override fun toString(): String =
        "AccessViolation(op=$op, permission=$permission, tag=$attributionTag, reason=$reason, at=${stack.firstOrNull()})"
}

/** Receives [AccessViolation]s on the main thread. */
public fun interface AccessViolationListener {
    public fun onAccessViolation(violation: AccessViolation)
}
