package io.consentgate.internal

import io.consentgate.InternalErrorException
import io.consentgate.PermissionInfo
import io.consentgate.PurposeSetting
import io.consentgate.Rationale
import io.consentgate.Recipient
import io.consentgate.SettingState
import org.json.JSONArray
import org.json.JSONException
import org.json.JSONObject

/**
 * Reads the cold-path JSON the native core returns (serde names of `src/engine/views.rs`)
 * with the framework's `org.json`: no extra dependency in the AAR.
 */
internal object Json {
    fun rationale(text: String): Rationale =
        parse(text) {
            val o = JSONObject(text)
            Rationale(
                purposeId = o.getString("purpose"),
                description = o.getString("description"),
                permissions = permissions(o.getJSONArray("permissions")),
                recipients = recipients(o.getJSONArray("recipients")),
                policyVersion = o.getString("policy_version"),
            )
        }

    fun settings(text: String): List<PurposeSetting> =
        parse(text) {
            val rows = JSONArray(text)
            List(rows.length()) { i ->
                val o = rows.getJSONObject(i)
                PurposeSetting(
                    id = o.getString("id"),
                    state = SettingState.fromJsonName(o.getString("state")),
                    allowed = o.getBoolean("allowed"),
                    description = o.getString("description"),
                    permissions = permissions(o.getJSONArray("permissions")),
                    recipients = recipients(o.getJSONArray("recipients")),
                    lastDecisionMs = optLong(o, "last_decision_ms"),
                    cooldownUntilMs = optLong(o, "cooldown_until_ms"),
                )
            }
        }

    private fun permissions(a: JSONArray): List<PermissionInfo> =
        List(a.length()) { i -> a.getJSONObject(i).let { PermissionInfo(it.getString("name"), it.getString("label")) } }

    private fun recipients(a: JSONArray): List<Recipient> =
        List(a.length()) { i -> a.getJSONObject(i).let { Recipient(it.getString("name"), it.getString("data")) } }

    private fun optLong(
        o: JSONObject,
        key: String,
    ): Long? = if (o.isNull(key)) null else o.getLong(key)

    private inline fun <T> parse(
        text: String,
        block: () -> T,
    ): T =
        try {
            block()
        } catch (e: JSONException) {
            throw InternalErrorException("unreadable JSON from the native core (${text.length} chars): ${e.message}")
        }
}
