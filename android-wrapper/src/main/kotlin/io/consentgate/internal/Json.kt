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
        parse(text) {
            val o = JSONObject(text)
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
        parse(text) {
            val o = JSONObject(text)
            val names = o.getJSONArray("not_granted")
            OsGrant(
                satisfied = o.getBoolean("satisfied"),
                notGranted = List(names.length()) { names.getString(it) },
                askOsAgain = o.getBoolean("ask_os_again"),
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

    fun lists(text: String): ComplianceLists =
        parse(text) {
            val o = JSONObject(text)
            val collection = o.getJSONArray("collection")
            val sharing = o.getJSONArray("sharing")
            ComplianceLists(
                locale = o.getString("locale"),
                policyVersion = o.getString("policy_version"),
                collection =
                    List(collection.length()) { i ->
                        val r = collection.getJSONObject(i)
                        CollectionRow(
                            purposeId = r.getString("purpose_id"),
                            purpose = r.getString("purpose"),
                            information = r.getString("information"),
                            whenCollected = r.getString("when"),
                            permissions = permissions(r.getJSONArray("permissions")),
                        )
                    },
                sharing =
                    List(sharing.length()) { i ->
                        val r = sharing.getJSONObject(i)
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
        parse(text) {
            val rows = JSONArray(text)
            List(rows.length()) { i ->
                val r = rows.getJSONObject(i)
                HistoryEntry(
                    timeMs = r.getLong("ts_ms"),
                    event = r.getString("event"),
                    purposeId = optString(r, "purpose_id"),
                    purpose = optString(r, "purpose"),
                    policyVersion = r.getString("policy_version"),
                    surface = r.getString("surface"),
                )
            }
        }

    fun policyText(text: String): PolicyText? =
        parse(text) {
            if (text == "null") return@parse null
            val o = JSONObject(text)
            PolicyText(url = optString(o, "url"), asset = optString(o, "asset"))
        }

    /** The `sdks` of a rationale or settings row (absent before schema 2: empty). */
    fun sdks(o: JSONObject): List<SdkInfo> {
        val a = o.optJSONArray("sdks") ?: return emptyList()
        return List(a.length()) { i ->
            val s = a.getJSONObject(i)
            SdkInfo(
                id = s.getString("id"),
                name = s.getString("name"),
                company = s.getString("company"),
                data = s.getString("data"),
                privacyUrl = s.getString("privacy_url"),
            )
        }
    }

    fun rationaleSdks(text: String): List<SdkInfo> = parse(text) { sdks(JSONObject(text)) }

    private fun optString(
        o: JSONObject,
        key: String,
    ): String? = if (o.isNull(key)) null else o.getString(key)

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
