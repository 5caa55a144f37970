package io.consentgate

import io.consentgate.internal.Json
import io.consentgate.internal.Native
import io.consentgate.internal.SpecialPermissions
import java.io.File
import java.util.Arrays
import java.util.Collections

/**
 * One consent engine: an app's declared purposes (the policy JSON), the consent journal in
 * one folder, and a clock. The low-level binding of the Rust core; the Android facade (request
 * flow, rationale dialog, settings screen) is built on it.
 *
 * Thread-safe: every method may be called from any thread. Records are written to disk
 * (appended and fsynced) before the call returns, and several engines (in this process or
 * others) may share one journal folder: each sees the others' records on its next call.
 *
 * Fails closed: when the journal cannot be read or is corrupt, every decision is
 * [Decision.Blocked] with [BlockReason.STORAGE], [isAllowed] is false, writes throw
 * [StorageException], and [storageProblem] says why.
 *
 * Close it when done ([AutoCloseable]; `use { }` / try-with-resources). [close] is
 * idempotent; any other call after it throws [EngineClosedException]. Closing while other
 * threads are inside calls is safe: they finish, or fail with [EngineClosedException], or (the
 * hot path) answer false.
 *
 * Locales passed to recording methods are BCP 47 language tags (`Locale.toLanguageTag()`:
 * "zh-CN", "en", "und"); they are stored as proof of the language the user read.
 */
public class ConsentEngine private constructor(
    private val handle: Long,
) : AutoCloseable {
    // A volatile field rather than an AtomicBoolean: the hot path reads it on every call, one
    // load fewer (close() takes the lock to release the native engine exactly once).
    @Volatile private var closed = false
    private val closeLock = Any()

    /** The `policy_version` of the policy this engine was opened with. */
    public val policyVersion: String = Native.policyVersion(handle)

    // Built with java.util only: Kotlin's collection extensions (toList, withIndex, associate) live
    // in the stdlib's largest classes (ArraysKt, CollectionsKt, MapsKt), whose first loading made a
    // cold open about 30 ms slower on a fresh JVM (scripts/bench-jvm.sh, "classes" and "open").
    private val ids: Array<String> = Native.purposeIds(handle)

    /** Declared purpose ids in policy order; a purpose's index is its position here. */
    public val purposeIds: List<String> = Collections.unmodifiableList(Arrays.asList(*ids))

    private val indexById: Map<String, Int> =
        HashMap<String, Int>(ids.size * 2).also { m ->
            for (i in ids.indices) m[ids[i]] = i
        }

    /** Whether [close] was called. */
    public val isClosed: Boolean get() = closed

    private fun live(): Long {
        if (closed) throw EngineClosedException()
        return handle
    }

    /** Closes the engine and releases its journal. Idempotent. */
    override fun close() {
        synchronized(closeLock) {
            if (closed) return
            closed = true
        }
        Native.close(handle)
    }

    // ---- purposes ---------------------------------------------------------------------

    /**
     * The index of a declared purpose, for the fast [isAllowed] overload: resolve it once,
     * keep it. [UndeclaredPurposeException] if the policy does not declare [purposeId].
     */
    public fun purposeIndex(purposeId: String): Int {
        live()
        return indexById[purposeId] ?: undeclared(purposeId)
    }

    /** The core's [UndeclaredPurposeException] for an id not in the policy: one wording, the core's. */
    private fun undeclared(purposeId: String): Nothing {
        Native.rationale(live(), purposeId, "und")
        throw InternalErrorException("the native core declares a purpose the wrapper's index does not hold")
    }

    // ---- decisions --------------------------------------------------------------------

    /**
     * The hot path: may the app use the purpose at [index] right now? Costs about as much as
     * an empty JNI call (no strings cross, no lock, no disk). False for anything but a current
     * consent, including an index out of range and a journal that cannot be trusted.
     * Still check the OS grant before using the permission.
     */
    public fun isAllowed(index: Int): Boolean = Native.isAllowed(live(), index)

    /** [isAllowed] by id; [UndeclaredPurposeException] for an id the policy does not declare. */
    public fun isAllowed(purposeId: String): Boolean = isAllowed(purposeIndex(purposeId))

    /** The full decision for a purpose, with the reason when it is not allowed. */
    @JvmOverloads
    public fun decide(
        purposeId: String,
        source: Source = Source.FEATURE,
    ): Decision = Decision.fromWire(Native.decide(live(), purposeId, source.wire))

    /**
     * As [decide], and also checks that the purpose declares [permission] (full name, e.g.
     * `android.permission.CAMERA`): [UndeclaredPurposeException] if not (an over-scope request),
     * [InvalidArgumentException] for a name the SDK does not know.
     */
    @JvmOverloads
    public fun decidePermission(
        purposeId: String,
        permission: String,
        source: Source = Source.FEATURE,
    ): Decision = Decision.fromWire(Native.decidePermission(live(), purposeId, permission, source.wire))

    // ---- records (each appended durably before the call returns) ---------------------

    /** The user accepted the privacy policy of this engine's [policyVersion]. */
    @JvmOverloads
    public fun acceptPolicy(
        surface: Surface,
        locale: String,
        actor: Actor = Actor.USER,
    ): Unit = Native.acceptPolicy(live(), surface.wire, locale, actor.wire)

    /** The user (or guardian) agreed to the purpose as currently worded. */
    @JvmOverloads
    public fun grant(
        purposeId: String,
        surface: Surface,
        locale: String,
        actor: Actor = Actor.USER,
    ): Unit = Native.grant(live(), purposeId, surface.wire, locale, actor.wire)

    /** The user declined (e.g. in the rationale dialog): a cooldown starts. */
    @JvmOverloads
    public fun deny(
        purposeId: String,
        surface: Surface,
        locale: String,
        actor: Actor = Actor.USER,
    ): Unit = Native.deny(live(), purposeId, surface.wire, locale, actor.wire)

    /**
     * The user withdrew consent. Returns the purpose's permissions that no other allowed
     * purpose still covers: give them back to the OS (`revokeSelfPermissionsOnKill` on API 33+,
     * the app's system settings page below).
     */
    @JvmOverloads
    public fun withdraw(
        purposeId: String,
        surface: Surface,
        locale: String,
        actor: Actor = Actor.USER,
    ): List<String> = Native.withdraw(live(), purposeId, surface.wire, locale, actor.wire).toList()

    /** Records the OS answer for one permission requested for a purpose. */
    @JvmOverloads
    public fun recordOsResult(
        purposeId: String,
        permission: String,
        result: OsResult,
        surface: Surface,
        locale: String,
        actor: Actor = Actor.USER,
    ): Unit = Native.recordOsResult(live(), purposeId, permission, result.wire, surface.wire, locale, actor.wire)

    /**
     * Records the OS answers of one system dialog for a purpose ([results]: permission -> answer),
     * in one durable write. When they leave a need of the purpose denied (no alternative granted),
     * that is the user's "no" to the purpose: a `consent_denied` event on the same surface follows,
     * and [decide] with [Source.FEATURE] is [Decision.Blocked] ([BlockReason.COOLDOWN]) until the
     * policy's cooldown ends ([Source.SETTINGS] still asks). Returns whether it did.
     * [recordOsResult] does the same for one answer.
     */
    @JvmOverloads
    public fun recordOsResults(
        purposeId: String,
        results: Map<String, OsResult>,
        surface: Surface,
        locale: String,
        actor: Actor = Actor.USER,
    ): Boolean {
        val names = results.keys.toTypedArray<String?>()
        val codes = IntArray(names.size) { results.getValue(names[it]!!).wire }
        return Native.recordOsResults(live(), purposeId, names, codes, surface.wire, locale, actor.wire)
    }

    /**
     * At a refresh, with the permissions the OS grants now ([osGranted]): permissions the journal
     * last saw granted and that are no longer were switched off in Android's settings. Each purpose
     * with consent on record that loses what it needs gets one `permission_revoked` event (journal
     * format 3, surface [Surface.SYSTEM_SETTINGS]): it is withdrawn, and the cooldown of a refusal
     * applies. Nothing is recorded twice. Returns the purposes revoked.
     */
    @JvmOverloads
    public fun recordRevocations(
        apiLevel: Int,
        osGranted: Collection<String>,
        locale: String,
        actor: Actor = Actor.USER,
    ): List<String> =
        // java.util, not Kotlin's toList(): this runs at app start (see ConsentGate's lists).
        java.util.Arrays.asList(
            *Native.recordRevocations(live(), apiLevel, osGranted.toTypedArray(), Surface.SYSTEM_SETTINGS.wire, locale, actor.wire),
        )

    /**
     * The permissions the app's manifest requests on this device (Android's
     * `PackageInfo.requestedPermissions`, which leaves out entries above their `maxSdkVersion`).
     * From then on [requestPlan] never includes a permission outside it and [osGrant] does not
     * need it: the app cannot ask for it here, so consent alone governs it.
     */
    public fun setManifestPermissions(names: Collection<String>): Unit = Native.setManifestPermissions(live(), names.toTypedArray())

    /** The journal's last OS answer for [permission], or null if the OS was never asked through the SDK. */
    public fun lastOsResult(permission: String): OsResult? = OsResult.fromWire(Native.lastOsResult(live(), permission))

    /** Records the user's age bracket; minors need [setGuardianConsent] before any purpose. */
    @JvmOverloads
    public fun setAgeBracket(
        age: AgeBracket,
        surface: Surface,
        locale: String,
        actor: Actor = Actor.USER,
    ): Unit = Native.setAgeBracket(live(), age.wire, surface.wire, locale, actor.wire)

    /** A guardian gave ([given] true) or withdrew consent for a minor. */
    @JvmOverloads
    public fun setGuardianConsent(
        given: Boolean,
        surface: Surface,
        locale: String,
        actor: Actor = Actor.GUARDIAN,
    ): Unit = Native.setGuardianConsent(live(), given, surface.wire, locale, actor.wire)

    // ---- permissions ------------------------------------------------------------------

    /**
     * Of the permissions the OS has granted ([osGranted], full names), those no current
     * consent covers (sorted): the app asked around the SDK, or a withdrawal's revocation is
     * still pending. Names outside the SDK's scope are ignored.
     */
    public fun reconcile(osGranted: Collection<String>): List<String> = Native.reconcile(live(), osGranted.toTypedArray()).toList()

    /**
     * What to ask the OS for, for [purposeId] on a device at [apiLevel], leaving out what
     * [osGranted] already holds: e.g. `READ_MEDIA_IMAGES` instead of `READ_EXTERNAL_STORAGE` on
     * 33+, and background location as a separate second step on 29+.
     */
    public fun requestPlan(
        purposeId: String,
        apiLevel: Int,
        osGranted: Collection<String>,
    ): RequestPlan {
        val raw = Native.requestPlan(live(), purposeId, apiLevel, osGranted.toTypedArray())
        val rest = raw.drop(1).map { it!! }
        val special = rest.filter { SpecialPermissions.isSpecial(it) }
        return RequestPlan(firstStep = rest - special.toSet(), backgroundLocation = raw[0], specialPermissions = special)
    }

    /**
     * Whether the OS grants are enough to use the purpose at [index] on [apiLevel]: coarse or
     * fine location both satisfy foreground location, full or user-selected media access both
     * satisfy photo access, background location is optional. False for an index out of range.
     */
    public fun osGrantsSatisfy(
        index: Int,
        apiLevel: Int,
        osGranted: Collection<String>,
    ): Boolean = Native.osGrantsSatisfy(live(), index, apiLevel, osGranted.toTypedArray())

    /**
     * How far the OS grants go for the purpose at [index] on [apiLevel]: satisfied or not,
     * partial grants (approximate location only, selected photos only, an optional permission
     * missing) and whether Android's photo picker must be shown again. See [OsGrant].
     */
    public fun osGrant(
        index: Int,
        apiLevel: Int,
        osGranted: Collection<String>,
    ): OsGrant = Json.osGrant(Native.osGrant(live(), index, apiLevel, osGranted.toTypedArray()))

    /** [osGrantsSatisfy] by purpose id. */
    public fun osGrantsSatisfy(
        purposeId: String,
        apiLevel: Int,
        osGranted: Collection<String>,
    ): Boolean = osGrantsSatisfy(purposeIndex(purposeId), apiLevel, osGranted)

    // ---- what people see ---------------------------------------------------------------

    /** What the rationale dialog shows for [purposeId], in [locale] (falls back to the policy's default). */
    public fun rationale(
        purposeId: String,
        locale: String,
    ): Rationale = Json.rationale(Native.rationale(live(), purposeId, locale))

    /** Every declared purpose with its state, in policy order, for the settings screen. */
    public fun settings(locale: String): List<PurposeSetting> = Json.settings(Native.settings(live(), locale))

    /**
     * The proof-of-consent document (JSON, `"format": "consentgate-proof"`): the policy as
     * declared now with fingerprints, the current state, and every event ever recorded with its
     * hash chain. [StorageException] while the journal cannot be trusted, [CorruptJournalException]
     * if an archived part of the history is corrupt.
     */
    public fun exportProof(): String = Native.exportProof(live())

    // ---- policy schema 2 ----------------------------------------------------------------

    /**
     * The user withdrew their acceptance of the privacy policy: recorded, every purpose is then
     * blocked (privacy policy not accepted) and every consent ends as withdrawn, so accepting
     * again revives none of them.
     */
    @JvmOverloads
    public fun withdrawPolicy(
        surface: Surface,
        locale: String,
        actor: Actor = Actor.USER,
    ): Unit = Native.withdrawPolicy(live(), surface.wire, locale, actor.wire)

    /** The collection list and the third-party sharing list in [locale]. */
    public fun lists(locale: String): ComplianceLists = Json.lists(Native.lists(live(), locale))

    /** The user's consent decisions from the journal, newest first (descriptions in [locale]). */
    public fun history(locale: String): List<HistoryEntry> = Json.history(Native.history(live(), locale))

    /** Where the privacy policy's text is for [locale], or null if the policy file names none. */
    public fun policyText(locale: String): PolicyText? = Json.policyText(Native.policyText(live(), locale))

    /** The third-party SDKs that receive data for [purposeId], in [locale]. */
    public fun sdksOf(
        purposeId: String,
        locale: String,
    ): List<SdkInfo> = Json.rationaleSdks(Native.rationale(live(), purposeId, locale))

    /** Ids of the third-party SDKs the policy declares, in policy order. */
    public val sdkIds: List<String> get() = Collections.unmodifiableList(Arrays.asList(*Native.sdkIds(live())))

    /** Whether the SDK [sdkId] may run now: a purpose it serves is allowed (consent on record). */
    public fun isSdkAllowed(sdkId: String): Boolean = Native.sdkAllowed(live(), sdkId)

    // ---- storage ----------------------------------------------------------------------

    /** Why decisions fail closed right now (unreadable or corrupt journal), or null if they don't. */
    public fun storageProblem(): String? = Native.storageProblem(live())

    /** Account deletion: removes every record and archive. Afterwards nothing is accepted or granted. */
    public fun erase(): Unit = Native.erase(live())

    /**
     * After corruption: keeps the corrupt journal aside untouched and starts a new one; every
     * consent must be given again. Returns the file name the corrupt journal was kept under.
     */
    @JvmOverloads
    public fun recoverFromCorruption(
        surface: Surface,
        locale: String,
        actor: Actor = Actor.USER,
    ): String = Native.recoverFromCorruption(live(), surface.wire, locale, actor.wire)

    /** Folds the journal into a snapshot; the history moves to an archive kept for proof. */
    public fun compact(): Unit = Native.compact(live())

    // ---- small questions the SDK asks (internal) ----------------------------------------

    /** Whether the privacy policy of [policyVersion] is accepted (false while storage fails). */
    @JvmSynthetic internal fun isPolicyAccepted(): Boolean = Native.policyAccepted(live())

    /** The permissions the purpose at [index] declares (full names, policy order). */
    @JvmSynthetic internal fun declaredPermissions(index: Int): List<String> =
        Collections.unmodifiableList(Arrays.asList(*Native.purposePermissions(live(), index)))

    // ---- clock: the QA hook (QaOperations) and the SDK's own tests only -------------------
    // Not API: an app's consent clock is the device clock. Tests of apps move it through
    // io.consentgate.testing.ConsentGateRule, QA through the adb hook (both use QaOperations).

    /** Freezes this engine's clock at [nowMs] (UTC ms). Records and cooldowns use it. */
    @JvmSynthetic internal fun setClockFixed(nowMs: Long): Unit = Native.setClockFixed(live(), nowMs)

    /** Device clock plus [offsetMs] from now on (unfreezes the clock). */
    @JvmSynthetic internal fun setClockOffset(offsetMs: Long): Unit = Native.setClockOffset(live(), offsetMs)

    /** Moves the clock by [ms] (negative: back): the frozen time if frozen, else the offset. */
    @JvmSynthetic internal fun advanceClock(ms: Long): Unit = Native.advanceClock(live(), ms)

    /** Back to the plain device clock. */
    @JvmSynthetic internal fun useSystemClock(): Unit = Native.useSystemClock(live())

    /** This engine's current time, UTC ms. */
    @JvmSynthetic internal fun currentTimeMs(): Long = Native.clockNow(live())

    override fun toString(): String =
        "ConsentEngine(policyVersion=$policyVersion, purposes=${purposeIds.size}${if (isClosed) ", closed" else ""})"

    public companion object {
        /**
         * Opens an engine for [policyJson] (schema 1) with its journal in [journalDir], an
         * absolute folder created if missing; apps use their no-backup files folder so that
         * consent does not travel to a restored device.
         *
         * Throws [InvalidPolicyException] (every problem with JSON path and line),
         * [InvalidArgumentException] for a relative folder, [StorageException] if the folder
         * cannot be created or locked. A corrupt or unreadable journal still opens, failing
         * closed: see [storageProblem].
         */
        @JvmStatic
        public fun open(
            policyJson: String,
            journalDir: File,
        ): ConsentEngine {
            val handle = Native.open(policyJson, journalDir.path)
            try {
                return ConsentEngine(handle)
            } catch (t: Throwable) {
                Native.close(handle)
                throw t
            }
        }

        /** [open] with the folder as a path string. */
        @JvmStatic
        public fun open(
            policyJson: String,
            journalDir: String,
        ): ConsentEngine = open(policyJson, File(journalDir))
    }
}
