package io.consentgate.internal

import io.consentgate.CollectionRow
import io.consentgate.ComplianceLists
import io.consentgate.HistoryEntry
import io.consentgate.InternalErrorException
import io.consentgate.OsGrant
import io.consentgate.PermissionInfo
import io.consentgate.PolicyText
import io.consentgate.PurposeSetting
import io.consentgate.Rationale
import io.consentgate.Recipient
import io.consentgate.SdkInfo
import io.consentgate.SettingState
import io.consentgate.SharingRow
import org.json.JSONArray
import org.json.JSONException
import org.json.JSONObject

/**
 * Reads the cold-path JSON the native core returns (serde names of `src/engine/views.rs`)
 * with the framework's `org.json`: no extra dependency in the AAR.
 */
internal object Json {
    fun rationale(text: String): Rationale =
        objectOf(text) { o ->
            Rationale(
                purposeId = o.getString("purpose"),
                description = o.getString("description"),
                permissions = permissions(o.getJSONArray("permissions")),
                recipients = recipients(o.getJSONArray("recipients")),
                policyVersion = o.getString("policy_version"),
                guardianRequired = o.optBoolean("guardian_required", false),
            )
        }

    fun osGrant(text: String): OsGrant =
        objectOf(text) { o ->
            val names = o.getJSONArray("not_granted")
            OsGrant(
                satisfied = o.getBoolean("satisfied"),
                notGranted = List(names.length()) { names.getString(it) },
                askOsAgain = o.getBoolean("ask_os_again"),
            )
        }

    fun settings(text: String): List<PurposeSetting> =
        rowsOf(text) { o ->
            PurposeSetting(
                id = o.getString("id"),
                state = SettingState.fromJsonName(o.getString("state")),
                allowed = o.getBoolean("allowed"),
                description = o.getString("description"),
                permissions = permissions(o.getJSONArray("permissions")),
                recipients = recipients(o.getJSONArray("recipients")),
                lastDecisionMs = optLong(o, "last_decision_ms"),
                cooldownUntilMs = optLong(o, "cooldown_until_ms"),
                revokedInSystemSettings = o.getBoolean("revoked_in_system_settings"),
            )
        }

    fun lists(text: String): ComplianceLists =
        objectOf(text) { o ->
            ComplianceLists(
                locale = o.getString("locale"),
                policyVersion = o.getString("policy_version"),
                collection =
                    rows(o.getJSONArray("collection")) { r ->
                        CollectionRow(
                            purposeId = r.getString("purpose_id"),
                            purpose = r.getString("purpose"),
                            information = r.getString("information"),
                            whenCollected = r.getString("when"),
                            permissions = permissions(r.getJSONArray("permissions")),
                        )
                    },
                sharing =
                    rows(o.getJSONArray("sharing")) { r ->
                        SharingRow(
                            isSdk = r.getString("kind") == "sdk",
                            recipient = r.getString("recipient"),
                            company = optString(r, "company"),
                            information = r.getString("information"),
                            purposeId = r.getString("purpose_id"),
                            purpose = r.getString("purpose"),
                            whenShared = r.getString("when"),
                            link = optString(r, "link"),
                        )
                    },
            )
        }

    fun history(text: String): List<HistoryEntry> =
        rowsOf(text) { r ->
            HistoryEntry(
                timeMs = r.getLong("ts_ms"),
                event = r.getString("event"),
                purposeId = optString(r, "purpose_id"),
                purpose = optString(r, "purpose"),
                policyVersion = r.getString("policy_version"),
                surface = r.getString("surface"),
            )
        }

    fun policyText(text: String): PolicyText? =
        if (text == "null") {
            null
        } else {
            objectOf(text) { o -> PolicyText(url = optString(o, "url"), asset = optString(o, "asset")) }
        }

    /** The `sdks` of a rationale or settings row (absent before schema 2: empty). */
    fun sdks(o: JSONObject): List<SdkInfo> {
        val a = o.optJSONArray("sdks") ?: return emptyList()
        return rows(a) { s ->
            SdkInfo(
                id = s.getString("id"),
                name = s.getString("name"),
                company = s.getString("company"),
                data = s.getString("data"),
                privacyUrl = s.getString("privacy_url"),
            )
        }
    }

    fun rationaleSdks(text: String): List<SdkInfo> = objectOf(text) { sdks(it) }

    private fun optString(
        o: JSONObject,
        key: String,
    ): String? = if (o.isNull(key)) null else o.getString(key)

    private fun permissions(a: JSONArray): List<PermissionInfo> = rows(a) { PermissionInfo(it.getString("name"), it.getString("label")) }

    private fun recipients(a: JSONArray): List<Recipient> = rows(a) { Recipient(it.getString("name"), it.getString("data")) }

    /** One [T] per object of the array [a], in order. */
    private inline fun <T> rows(
        a: JSONArray,
        row: (JSONObject) -> T,
    ): List<T> = List(a.length()) { row(a.getJSONObject(it)) }

    private fun optLong(
        o: JSONObject,
        key: String,
    ): Long? = if (o.isNull(key)) null else o.getLong(key)

    /** [text] as one JSON object, read by [read]. */
    private inline fun <T> objectOf(
        text: String,
        read: (JSONObject) -> T,
    ): T = parse(text) { read(JSONObject(text)) }

    /** [text] as a JSON array of objects, one [T] per object. */
    private inline fun <T> rowsOf(
        text: String,
        row: (JSONObject) -> T,
    ): List<T> = parse(text) { rows(JSONArray(text), row) }

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
