package io.consentgate.testing

import io.consentgate.Actor
import io.consentgate.AgeBracket
import io.consentgate.OsResult
import io.consentgate.Surface
import org.json.JSONObject

/**
 * One consent-journal event, as [ConsentGateRule.journal] returns it for assertions. Field
 * values are the journal's (the same names `consentgate journal show` prints and the proof
 * document holds).
 */
public data class JournalEvent(
    /** Position in the journal, from 1. */
    val seq: Long,
    /** When it was recorded, by the engine clock (UTC ms). */
    val timeMs: Long,
    /**
     * What happened: `policy_accepted`, `consent_granted`, `consent_denied`,
     * `consent_withdrawn`, `os_result`, `age_bracket_set`, `guardian_consent` (also `snapshot`
     * and `journal_reset`, written by the SDK itself).
     */
    val event: String,
    /** The purpose, for consent and OS events. */
    val purposeId: String?,
    /** Where it was decided (`QA_HOOK` for everything the rule records). */
    val surface: Surface,
    val actor: Actor,
    /** The language tag of what the user read, e.g. "en", "zh-CN". */
    val locale: String,
    val policyVersion: String,
    /** The purpose-text fingerprint a consent decision was made for. */
    val fingerprint: String?,
    /** For `os_result`: the permission and the OS answer. */
    val permission: String?,
    val osResult: OsResult?,
    /** For `age_bracket_set`. */
    val age: AgeBracket?,
    /** For `guardian_consent`: given (true) or withdrawn. */
    val guardian: Boolean?,
) {
    internal companion object {
        fun fromJson(o: JSONObject): JournalEvent =
            JournalEvent(
                seq = o.getLong("seq"),
                timeMs = o.getLong("ts"),
                event = o.getString("event"),
                purposeId = o.optStringOrNull("purpose"),
                surface = Surface.fromJsonName(o.getString("surface")),
                actor = Actor.fromJsonName(o.getString("actor")),
                locale = o.getString("locale"),
                policyVersion = o.getString("policy_version"),
                fingerprint = o.optStringOrNull("fp"),
                permission = o.optStringOrNull("permission"),
                osResult = o.optStringOrNull("os_result")?.let { OsResult.fromJsonName(it) },
                age = o.optStringOrNull("age")?.let { AgeBracket.fromJsonName(it) },
                guardian = if (o.has("guardian") && !o.isNull("guardian")) o.getBoolean("guardian") else null,
            )

        private fun JSONObject.optStringOrNull(key: String): String? = if (has(key) && !isNull(key)) getString(key) else null
    }
}
