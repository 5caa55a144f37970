package io.consentgate

import android.app.Activity
import android.app.Application
import android.content.ActivityNotFoundException
import android.content.Context
import android.content.ContextWrapper
import android.content.Intent
import android.content.pm.ApplicationInfo
import android.net.Uri
import android.os.Build
import android.os.Bundle
import android.os.Handler
import android.os.Looper
import android.provider.Settings
import android.util.Log
import io.consentgate.internal.AccessAuditor
import io.consentgate.internal.Locales
import io.consentgate.internal.OsPermissions
import io.consentgate.internal.SdkStarter
import io.consentgate.qa.QaReceiver
import io.consentgate.qa.deleteQaDump
import java.io.File
import java.io.IOException
import java.lang.ref.WeakReference
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicLong
import kotlin.coroutines.resume
import kotlin.coroutines.suspendCoroutine

/**
 * The ConsentGate SDK for app code: one instance per process.
 *
 * ```
 * // Application.onCreate
 * ConsentGate.init(this)                                   // policy from assets/consentgate/policy.json
 * // the app's privacy-policy screen, when the user accepts
 * ConsentGate.get().acceptPrivacyPolicy()
 * // before a feature needs a permission
 * val photo = ConsentGate.get().purpose("feedback_photo")  // resolve once, keep
 * when (photo.request(activity)) { is RequestResult.Granted -> openCamera(); else -> {} }
 * // at the point of use
 * if (photo.isAllowed()) camera.takePicture()
 * ```
 *
 * Privacy before consent: until the privacy policy of the current version is accepted the SDK
 * makes no permission check, no permission request and no package or identifier query; every
 * purpose is not allowed and every request ends as [RequestResult.Blocked] without UI.
 *
 * [isAllowed] means both: consent on record for the purpose as currently worded, and the OS
 * grants the purpose needs. The OS side is cached (refreshed after the policy is accepted, after
 * every request, withdrawal and QA command, whenever an activity of the app resumes, and by
 * [refresh]); Android kills the app's process when the user revokes a permission in system
 * settings, so the cache never says "granted" for a revoked permission.
 *
 * Threads: every method may be called from any thread; callbacks and listeners run on the main
 * thread. Recording methods write to disk (append + fsync) before they return.
 */
public class ConsentGate private constructor(
    context: Context,
    private val engine: ConsentEngine,
    /** The folder of the consent journal (by default `noBackupFilesDir/consentgate`). */
    public val journalDir: File,
) : AutoCloseable {
    private val appContext: Context = context
    private val application: Application? = findApplication(context)
    private val mainHandler = Handler(Looper.getMainLooper())
    private val closed = AtomicBoolean(false)
    private val refreshLock = Any()

    /** Identifies this instance in request intents: a flow started by another instance (or process) is an orphan. */
    @get:JvmSynthetic internal val session: Long = System.nanoTime() xor System.identityHashCode(this).toLong()

    @Volatile private var policyAccepted: Boolean = false

    @get:JvmSynthetic internal val os = OsPermissions(appContext) { policyAccepted }

    // Built with java.util, not Kotlin's collection helpers: at app start those would load the
    // standard library's largest classes (about 30 of them) for a few lines (BENCHMARKS.md).

    /** The policy's permissions per purpose index, and all of them (a purpose's, in policy order). */
    @get:JvmSynthetic internal val declaredPermissions: List<List<String>> =
        List(engine.purposeIds.size) { engine.declaredPermissions(it) }
    private val allDeclared: List<String> =
        ArrayList(LinkedHashSet<String>().apply { for (permissions in declaredPermissions) addAll(permissions) })

    private val handles: List<PurposeHandle> =
        ArrayList<PurposeHandle>(engine.purposeIds.size).apply {
            for (i in 0 until engine.purposeIds.size) add(PurposeHandle(this@ConsentGate, engine.purposeIds[i], i))
        }
    private val handleById: Map<String, PurposeHandle> = HashMap<String, PurposeHandle>().apply { for (h in handles) put(h.id, h) }

    private val listeners = CopyOnWriteArrayList<ConsentListener>()
    private val accessListeners = CopyOnWriteArrayList<AccessViolationListener>()
    private val accessViolations = AtomicLong()

    /** Permissions reported granted without consent (below API 30), each once per process. */
    private val reconciled = ConcurrentHashMap.newKeySet<String>()

    private val auditor =
        AccessAuditor(appContext, declaredPermissions, { policyAccepted }, { isAllowedAt(it) }) { reportViolation(it) }
    private val policyWithdrawnCallbacks = CopyOnWriteArrayList<Runnable>()
    private val sdkIds: Set<String> = HashSet(engine.sdkIds)

    // A lambda, not a function reference (`::allowedByName`): a reference loads seven classes of
    // Kotlin's reflection interfaces at app start.
    private val sdkStarter = SdkStarter { allowedByName(it) }
    private val lastResults = ConcurrentHashMap<String, RequestResult>()

    @get:JvmSynthetic internal val flows = Flows()
    private var qaReceiver: QaReceiver? = null

    private val lifecycle =
        object : Application.ActivityLifecycleCallbacks {
            override fun onActivityCreated(
                activity: Activity,
                savedInstanceState: Bundle?,
            ) = Unit

            override fun onActivityStarted(activity: Activity) = Unit

            override fun onActivityResumed(activity: Activity) {
                if (!closed.get()) refresh()
            }

            override fun onActivityPaused(activity: Activity) = Unit

            override fun onActivityStopped(activity: Activity) = Unit

            override fun onActivitySaveInstanceState(
                activity: Activity,
                outState: Bundle,
            ) = Unit

            override fun onActivityDestroyed(activity: Activity) {
                if (activity.isFinishing) flows.callerFinished(activity)
            }
        }

    /** The `policy_version` of the policy in use. */
    public val policyVersion: String get() = engine.policyVersion

    /** Declared purpose ids, in policy order. */
    public val purposeIds: List<String> get() = engine.purposeIds

    /** Whether [close] was called. */
    public val isClosed: Boolean get() = closed.get()

    // ---- privacy policy, age, guardian -------------------------------------------------

    /** Whether the user accepted the privacy policy of the current [policyVersion] (false while storage fails). */
    public val isPrivacyPolicyAccepted: Boolean
        get() = computePolicyAccepted()

    /**
     * Records that the privacy policy of [policyVersion] was accepted in the app's own UI, in the
     * current locale, by [actor]: the user, or for a minor the guardian ([Actor.GUARDIAN]). Only
     * after this does the SDK look at OS permissions. [StorageException] if it could not be recorded.
     */
    @JvmOverloads
    public fun acceptPrivacyPolicy(actor: Actor = Actor.USER) {
        engine.acceptPolicy(Surface.APP, localeTag(), actor)
        changed(null)
    }

    /**
     * The user withdrew their acceptance of the privacy policy (from the app's own UI; the
     * settings screen offers it too). Recorded; then every purpose is blocked as before
     * acceptance, every consent given ends (accepting again asks for each one anew), the stop
     * code of running SDKs runs, the declared permissions are given back to the OS on API 33+ when
     * the process ends, and the [onPrivacyPolicyWithdrawn] callbacks run so the app can switch to
     * its basic mode. [StorageException] if it could not be recorded.
     */
    public fun withdrawPrivacyPolicy() {
        withdrawPrivacyPolicy(Surface.APP)
    }

    @JvmSynthetic internal fun withdrawPrivacyPolicy(surface: Surface) {
        val wasAccepted = computePolicyAccepted()
        engine.withdrawPolicy(surface, localeTag(), Actor.USER)
        if (wasAccepted) os.revokeOnKill(allDeclared)
        changed(null)
        mainHandler.post { for (c in policyWithdrawnCallbacks) c.run() }
    }

    /** Runs [callback] on the main thread each time the user withdraws acceptance of the privacy policy. */
    public fun onPrivacyPolicyWithdrawn(callback: Runnable) {
        policyWithdrawnCallbacks.addIfAbsent(callback)
    }

    /**
     * Registers the code that starts a third-party SDK (or anything else) for [name]: a purpose
     * id, or the id of an SDK the policy declares (schema 2; allowed while one of the purposes it
     * serves is). [start] runs on the main thread once [name] is allowed: at once if it already
     * is, after the consent otherwise, and again in each later process at registration (register
     * in `Application.onCreate`). Never before the privacy policy is accepted, never while not
     * allowed ("allowed" is the consent on record; the OS grants are the SDK's own business).
     * [UndeclaredPurposeException] for a name the policy does not declare.
     */
    public fun onAllowed(
        name: String,
        start: Runnable,
    ) {
        checkName(name)
        sdkStarter.onAllowed(name, start)
    }

    /** Registers the code that stops what [onAllowed] started, run on the main thread once [name] is no longer allowed. */
    public fun onWithdrawn(
        name: String,
        stop: Runnable,
    ) {
        checkName(name)
        sdkStarter.onWithdrawn(name, stop)
    }

    /** The third-party SDKs that receive data for [purposeId] (policy schema 2), in the current locale. */
    public fun sdksOf(purposeId: String): List<SdkInfo> = engine.sdksOf(purposeId, localeTag())

    /** The collection and third-party sharing lists in the current locale. */
    public fun complianceLists(): ComplianceLists = engine.lists(localeTag())

    /** The user's consent decisions, newest first. [StorageException] while the journal cannot be read. */
    public fun consentHistory(): List<HistoryEntry> = engine.history(localeTag())

    /** Where the privacy policy's text is for the current locale, or null if the policy file names none. */
    public fun privacyPolicyText(): PolicyText? = engine.policyText(localeTag())

    /**
     * Opens the privacy policy's text: the asset the policy file names (shown by the SDK), else
     * its web page (a browser). False if the policy names none or nothing can show it.
     */
    public fun openPrivacyPolicy(context: Context): Boolean {
        val text = privacyPolicyText() ?: return false
        val intent =
            when {
                text.asset != null ->
                    Intent(context, ConsentDocumentActivity::class.java)
                        .putExtra(ConsentDocumentActivity.EXTRA_MODE, ConsentDocumentActivity.MODE_POLICY_TEXT)
                text.url != null -> Intent(Intent.ACTION_VIEW, Uri.parse(text.url))
                else -> return false
            }
        return startFrom(context, intent)
    }

    /** Opens the screen of the collection and sharing lists. */
    public fun openListsScreen(context: Context) {
        startFrom(
            context,
            Intent(context, ConsentDocumentActivity::class.java)
                .putExtra(ConsentDocumentActivity.EXTRA_MODE, ConsentDocumentActivity.MODE_LISTS),
        )
    }

    /** Opens the screen of the user's own consent history. */
    public fun openHistoryScreen(context: Context) {
        startFrom(
            context,
            Intent(context, ConsentDocumentActivity::class.java)
                .putExtra(ConsentDocumentActivity.EXTRA_MODE, ConsentDocumentActivity.MODE_HISTORY),
        )
    }

    private fun startFrom(
        context: Context,
        intent: Intent,
    ): Boolean {
        if (context !is Activity) intent.addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
        return try {
            context.startActivity(intent)
            true
        } catch (e: ActivityNotFoundException) {
            false
        }
    }

    private fun checkName(name: String) {
        checkOpen()
        if (name in sdkIds) return
        engine.purposeIndex(name) // UndeclaredPurposeException
    }

    /** Consent-level answer for a purpose or SDK id; false on any error (fail closed). */
    private fun allowedByName(name: String): Boolean {
        if (closed.get()) return false
        return try {
            if (name in sdkIds) engine.isSdkAllowed(name) else engine.decide(name, Source.FEATURE).isAllowed
        } catch (e: ConsentGateException) {
            false
        }
    }

    /** Records the user's age bracket as the app determined it; minors need [setGuardianConsent]. */
    public fun setAgeBracket(age: AgeBracket) {
        engine.setAgeBracket(age, Surface.APP, localeTag(), Actor.USER)
        changed(null)
    }

    /** Records that a guardian gave ([given] true) or withdrew consent for a minor (actor: guardian). */
    public fun setGuardianConsent(given: Boolean) {
        engine.setGuardianConsent(given, Surface.APP, localeTag(), Actor.GUARDIAN)
        changed(null)
    }

    // ---- the hot path ------------------------------------------------------------------

    /**
     * The handle of a declared purpose, for the fast check at the point of use: resolve it once
     * and keep it. [UndeclaredPurposeException] if the policy does not declare [purposeId].
     */
    public fun purpose(purposeId: String): PurposeHandle {
        checkOpen()
        return handleById[purposeId] ?: handles[engine.purposeIndex(purposeId)]
    }

    /**
     * May the app use [purposeId] now: consent on record AND the OS grants it needs. A map lookup
     * more than [PurposeHandle.isAllowed]; prefer the handle in hot code.
     * [UndeclaredPurposeException] for an id the policy does not declare.
     */
    public fun isAllowed(purposeId: String): Boolean = purpose(purposeId).isAllowed()

    @JvmSynthetic internal fun isAllowedAt(index: Int): Boolean = index >= 0 && index < handles.size && handles[index].isAllowed()

    /** The core's decision for [purposeId] (consent only; the OS grant is not part of it). */
    public fun decide(purposeId: String): Decision = engine.decide(purposeId, Source.FEATURE)

    // ---- requests ------------------------------------------------------------------------

    /**
     * Asks for [purposeId] because the user started a feature that needs it, from [activity]
     * (which stays underneath a transparent SDK activity). If consent is needed, the rationale
     * dialog shows the purpose, the permissions in plain words and who receives the data; the
     * answer is recorded; then only the purpose's permissions the OS has not granted are
     * requested, and the OS answers are recorded. Inside a refusal's cooldown nothing is shown
     * ([RequestResult.Blocked] with the end time). [callback] gets exactly one result, on the main
     * thread. Call from any thread.
     */
    public fun request(
        activity: Activity,
        purposeId: String,
        callback: RequestCallback,
    ): Unit = startFlow(activity, purposeId, Source.FEATURE, callback)

    /** [request] for Kotlin coroutines (no kotlinx needed); the flow is not cancellable. */
    @JvmSynthetic
    public suspend fun request(
        activity: Activity,
        purposeId: String,
    ): RequestResult = suspendCoroutine { cont -> request(activity, purposeId) { cont.resume(it) } }

    /** The result of the last request flow for [purposeId] that ended in this process, or null. */
    public fun lastResult(purposeId: String): RequestResult? = lastResults[purposeId]

    @JvmSynthetic internal fun startFlow(
        activity: Activity,
        purposeId: String,
        source: Source,
        callback: RequestCallback,
    ) {
        if (Looper.myLooper() != Looper.getMainLooper()) {
            mainHandler.post { startFlow(activity, purposeId, source, callback) }
            return
        }
        val decision =
            try {
                checkOpen()
                engine.decide(purposeId, source)
            } catch (e: ConsentGateException) {
                return post(callback, RequestResult.Error(purposeId, e))
            }
        when (decision) {
            is Decision.Blocked -> return post(callback, RequestResult.Blocked(purposeId, decision.reason, decision.untilMs))
            is Decision.Allowed -> {
                refresh()
                val index = engine.purposeIndex(purposeId)
                if (isAllowedAt(index)) {
                    val grant = osGrant(index)
                    // API 34+ with only selected photos: Android's photo picker is shown again.
                    if (!grant.askOsAgain) return post(callback, RequestResult.Granted(purposeId, grant.notGranted))
                }
            }
            is Decision.NeedsConsent -> Unit
        }
        // Consent needed, or consent on record but the OS grant missing: the request activity.
        val (flow, isNew) = flows.join(purposeId, source, activity, callback)
        if (!isNew) return
        val intent =
            Intent(activity, ConsentRequestActivity::class.java)
                .putExtra(ConsentRequestActivity.EXTRA_PURPOSE, purposeId)
                .putExtra(ConsentRequestActivity.EXTRA_SOURCE, source.jsonName)
                .putExtra(ConsentRequestActivity.EXTRA_REQUEST_ID, flow.requestId)
                .putExtra(ConsentRequestActivity.EXTRA_SESSION, session)
                .addFlags(Intent.FLAG_ACTIVITY_NO_ANIMATION)
        try {
            activity.startActivity(intent)
        } catch (e: ActivityNotFoundException) {
            val error =
                InternalErrorException(
                    "io.consentgate.ConsentRequestActivity is not in the app's manifest (is the SDK's manifest merged?)",
                )
            finishFlow(flow.requestId, purposeId, RequestResult.Error(purposeId, error))
        }
    }

    /** Ends a flow: remembers the result, refreshes the OS cache, tells the callbacks (once) and listeners. */
    @JvmSynthetic internal fun finishFlow(
        requestId: Long,
        purposeId: String,
        result: RequestResult,
    ) {
        lastResults[purposeId] = result
        if (!closed.get()) refresh()
        val callbacks = flows.remove(requestId)?.callbacks.orEmpty()
        mainHandler.post {
            for (cb in callbacks) deliver(cb, result)
            notifyListeners(purposeId)
        }
    }

    private fun post(
        callback: RequestCallback,
        result: RequestResult,
    ) {
        lastResults[result.purposeId] = result
        mainHandler.post { deliver(callback, result) }
    }

    private fun deliver(
        callback: RequestCallback,
        result: RequestResult,
    ) {
        callback.onResult(result)
    }

    // ---- withdrawal, settings --------------------------------------------------------------

    /**
     * The user withdrew consent for [purposeId] (in the app's own UI): recorded at once, and
     * [isAllowed] is false from now on. The permissions no other allowed purpose still covers
     * are given back where Android allows it: `revokeSelfPermissionsOnKill` on API 33+; below,
     * [Withdrawal.systemSettingsSuggested] says whether to offer [openAppSettings].
     */
    public fun withdraw(purposeId: String): Withdrawal = withdraw(purposeId, Surface.APP, Actor.USER)

    @JvmSynthetic internal fun withdraw(
        purposeId: String,
        surface: Surface,
        actor: Actor,
    ): Withdrawal {
        val released = engine.withdraw(purposeId, surface, localeTag(), actor)
        refresh()
        val stillGranted = if (policyAccepted) os.grantedAmong(released) else released
        val revoked = os.revokeOnKill(stillGranted)
        changed(purposeId)
        return Withdrawal(
            purposeId = purposeId,
            releasedPermissions = released,
            stillGrantedPermissions = stillGranted,
            revokeScheduled = revoked,
            systemSettingsSuggested = Build.VERSION.SDK_INT < 33 && stillGranted.isNotEmpty(),
        )
    }

    /** Every declared purpose with its state, in policy order, in the current locale. */
    public fun settings(): List<PurposeSetting> = engine.settings(localeTag())

    /** Opens the SDK's consent settings screen ([ConsentSettingsActivity]). */
    public fun openSettingsScreen(context: Context) {
        val intent = Intent(context, ConsentSettingsActivity::class.java)
        if (context !is Activity) intent.addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
        context.startActivity(intent)
    }

    /** Opens the app's page in Android's settings (where the user can switch permissions off). */
    public fun openAppSettings(context: Context) {
        val intent = Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", context.packageName, null))
        if (context !is Activity) intent.addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
        context.startActivity(intent)
    }

    /** Told after every change; see [ConsentListener]. Remove it when its owner goes away. */
    public fun addListener(listener: ConsentListener) {
        listeners.addIfAbsent(listener)
    }

    public fun removeListener(listener: ConsentListener) {
        listeners.remove(listener)
    }

    /**
     * Tells [listener] (on the main thread) about private-data accesses no consent covers: on
     * API 30+ every access Android's data-access auditing notes in this process (before the
     * privacy policy is accepted, or with no allowed purpose declaring a permission behind it),
     * below API 30 the permissions Android grants that no consent covers (checked at [refresh]).
     * Debuggable builds also log each one (op, reason, calling method; never data).
     */
    public fun addAccessViolationListener(listener: AccessViolationListener) {
        accessListeners.add(listener)
    }

    public fun removeAccessViolationListener(listener: AccessViolationListener) {
        accessListeners.remove(listener)
    }

    /** Access violations seen in this process since [init] (also in the QA `DUMP` reply). */
    public val accessViolationCount: Long get() = accessViolations.get()

    /**
     * Whether Android's data-access auditing reports to the SDK in this process (API 30+, and
     * the app had not registered its own `OnOpNotedCallback` before [init]).
     */
    public val isAccessAuditing: Boolean get() = auditor.active

    /**
     * The app's own `AppOpsManager.OnOpNotedCallback` (API 30+): Android allows one per process
     * and the SDK holds it, so register yours here instead of with `AppOpsManager`; it gets every
     * noted op, synchronously like from Android. Null removes it.
     */
    public fun setOnOpNotedCallback(callback: android.app.AppOpsManager.OnOpNotedCallback?) {
        auditor.forwardTo(callback)
    }

    // ---- account deletion, proof, storage ------------------------------------------------

    /**
     * Account deletion: removes every consent record. Afterwards the privacy policy counts as not
     * accepted and nothing is allowed; on API 33+ the declared permissions are given back to the
     * OS when the process ends (if the policy had been accepted, so they may have been granted).
     * A proof document the QA hook of a debuggable build dumped is deleted too.
     */
    public fun erase() {
        val wasAccepted = computePolicyAccepted()
        engine.erase()
        deleteQaDump(appContext)
        lastResults.clear()
        if (wasAccepted) os.revokeOnKill(allDeclared)
        changed(null)
    }

    /** The proof-of-consent document (JSON); see [ConsentEngine.exportProof]. */
    public fun exportProof(): String = engine.exportProof()

    /** Why every decision fails closed right now (unreadable or corrupt journal), or null. */
    public fun storageProblem(): String? = engine.storageProblem()

    /**
     * Re-reads the OS grants of the declared permissions (only once the privacy policy is
     * accepted) and the journal. A permission found switched off in Android's settings is a
     * withdrawal: each purpose with consent on record that no longer has what it needs gets one
     * journal event (never again for the same revocation), shows as off in the settings screen,
     * and the cooldown of a refusal applies; the listeners are told. The SDK calls it itself
     * (process start, every resumed activity of the app, after requests); call it after asking
     * for permissions around the SDK.
     */
    public fun refresh() {
        var revoked: List<String> = java.util.Collections.emptyList()
        synchronized(refreshLock) {
            if (closed.get()) return
            val accepted = computePolicyAccepted()
            policyAccepted = accepted
            if (!accepted) {
                for (h in handles) h.osGranted = false
            } else {
                tellManifestOnce()
                val granted = os.grantedAmong(allDeclared)
                val api = Build.VERSION.SDK_INT
                if (api < AUDITING_API) reconcile(granted)
                revoked = recordRevocations(api, granted)
                for (i in 0 until handles.size) handles[i].osGranted = engine.osGrantsSatisfy(i, api, granted)
            }
        }
        if (revoked.isNotEmpty()) mainHandler.post { for (id in revoked) notifyListeners(id) }
    }

    @Volatile private var manifestTold = false

    /** Tells the core what the manifest requests on this device (a package query: after acceptance only). */
    private fun tellManifestOnce() {
        if (manifestTold) return
        os.requestedByManifest()?.let { engine.setManifestPermissions(it) }
        manifestTold = true
    }

    private fun recordRevocations(
        api: Int,
        granted: List<String>,
    ): List<String> =
        try {
            engine.recordRevocations(api, granted, localeTag())
        } catch (e: ConsentGateException) {
            // Not recorded: the purpose is still not allowed (the OS grant is missing); retried at the next refresh.
            Log.w(TAG, "revocation not recorded: ${e.javaClass.simpleName}")
            java.util.Collections.emptyList()
        }

    /** How far the OS grants go for the purpose at [index] now (asks the OS; after acceptance only). */
    @JvmSynthetic internal fun osGrant(index: Int): OsGrant =
        engine.osGrant(
            index,
            Build.VERSION.SDK_INT,
            os.grantedAmong(declaredPermissions[index]),
        )

    /** Whether the OS grants satisfy the purpose at [index] (cached; no query). */
    @JvmSynthetic internal fun osSatisfied(index: Int): Boolean = index >= 0 && index < handles.size && handles[index].osGranted

    @get:JvmSynthetic internal val engineForSdk: ConsentEngine get() = engine

    /** The application context the gate was initialised with (the QA operations write their dump there). */
    @get:JvmSynthetic internal val contextForSdk: Context get() = appContext

    /**
     * Closes the gate (tests; an app keeps it for the life of the process): the journal is
     * released, the QA receiver unregistered, pending request callbacks dropped, and [get] fails
     * until the next init. Idempotent.
     */
    override fun close() {
        if (!closed.compareAndSet(false, true)) return
        synchronized(LOCK) { if (instance === this) instance = null }
        application?.unregisterActivityLifecycleCallbacks(lifecycle)
        qaReceiver?.let {
            try {
                appContext.unregisterReceiver(it)
            } catch (e: IllegalArgumentException) {
                // not registered
            }
        }
        qaReceiver = null
        flows.clear()
        listeners.clear()
        auditor.stop()
        accessListeners.clear()
        sdkStarter.clear()
        policyWithdrawnCallbacks.clear()
        engine.close()
    }

    // ---- internals ----------------------------------------------------------------------------

    /** A record was written: refresh the cache and tell the listeners. */
    @JvmSynthetic internal fun changed(purposeId: String?) {
        refresh()
        mainHandler.post { notifyListeners(purposeId) }
    }

    /** Below API 30: grants no consent covers go to the access listeners, each once per process. */
    private fun reconcile(granted: List<String>) {
        val uncovered =
            try {
                engine.reconcile(granted)
            } catch (e: ConsentGateException) {
                return
            }
        for (permission in uncovered) {
            if (!reconciled.add(permission)) continue
            val op = AccessAuditor.opOf(permission) ?: permission
            reportViolation(AccessViolation(op, permission, null, emptyList(), AccessViolation.Reason.GRANTED_WITHOUT_CONSENT))
        }
    }

    private fun reportViolation(violation: AccessViolation) {
        accessViolations.incrementAndGet()
        if (QaReceiver.isDebuggable(appContext)) {
            Log.w(TAG, "access violation: ${violation.op} (${violation.reason}) at ${violation.stack.firstOrNull() ?: "?"}")
        }
        mainHandler.post { for (l in accessListeners) l.onAccessViolation(violation) }
    }

    private fun notifyListeners(purposeId: String?) {
        sdkStarter.reconcileSoon()
        for (l in listeners) l.onConsentChanged(purposeId)
    }

    private fun computePolicyAccepted(): Boolean =
        try {
            engine.isPolicyAccepted()
        } catch (e: ConsentGateException) {
            false
        }

    @JvmSynthetic internal fun localeTag(context: Context = appContext): String = Locales.tag(Locales.of(context))

    private fun checkOpen() {
        if (closed.get()) throw EngineClosedException("ConsentGate is closed")
    }

    private fun start() {
        application?.registerActivityLifecycleCallbacks(lifecycle)
        // Checked here: asking QaReceiver would load its classes in every release app.
        if (appContext.applicationInfo.flags and ApplicationInfo.FLAG_DEBUGGABLE != 0) {
            qaReceiver = QaReceiver.register(appContext, this)
        }
        refresh()
        auditor.start()
    }

    /** Request flows in progress in this process, by request id. Holds no strong Activity reference. */
    internal inner class Flows {
        private val lock = Any()
        private val byId = LinkedHashMap<Long, Flow>()
        private val ids = AtomicLong(System.nanoTime() and 0x3FFF_FFFF_FFFFL)

        inner class Flow(
            val requestId: Long,
            val purposeId: String,
            val source: Source,
            caller: Activity,
        ) {
            val callbacks = ArrayList<RequestCallback>(1)
            val caller = WeakReference(caller)

            @Volatile var activity: WeakReference<ConsentRequestActivity>? = null
        }

        /** Joins a flow already running for the purpose (one dialog, every caller told), or starts one. */
        fun join(
            purposeId: String,
            source: Source,
            caller: Activity,
            callback: RequestCallback,
        ): Pair<Flow, Boolean> =
            synchronized(lock) {
                val running = byId.values.firstOrNull { it.purposeId == purposeId }
                if (running != null) {
                    running.callbacks.add(callback)
                    running to false
                } else {
                    val flow = Flow(ids.incrementAndGet(), purposeId, source, caller)
                    flow.callbacks.add(callback)
                    byId[flow.requestId] = flow
                    flow to true
                }
            }

        fun get(requestId: Long): Flow? = synchronized(lock) { byId[requestId] }

        fun remove(requestId: Long): Flow? = synchronized(lock) { byId.remove(requestId) }

        fun attach(
            requestId: Long,
            activity: ConsentRequestActivity,
        ) {
            get(requestId)?.activity = WeakReference(activity)
        }

        fun detach(
            requestId: Long,
            activity: ConsentRequestActivity,
        ) {
            val flow = get(requestId) ?: return
            if (flow.activity?.get() === activity) flow.activity = null
        }

        /** The caller finished mid-flow: its flows end as Cancelled, their request activities close. */
        fun callerFinished(caller: Activity) {
            val ended = synchronized(lock) { byId.values.filter { it.caller.get() === caller } }
            for (flow in ended) {
                val running = flow.activity?.get()
                if (running != null) {
                    running.cancelFlow()
                } else {
                    finishFlow(flow.requestId, flow.purposeId, RequestResult.Cancelled(flow.purposeId))
                }
            }
        }

        fun size(): Int = synchronized(lock) { byId.size }

        fun clear() = synchronized(lock) { byId.clear() }
    }

    public companion object {
        /** Where [init] reads the policy by default: `assets/consentgate/policy.json` of the APK. */
        public const val DEFAULT_POLICY_ASSET: String = "consentgate/policy.json"

        private const val TAG = OsPermissions.LOG_TAG

        /** Android's data-access auditing (`setOnOpNotedCallback`) exists from this API level. */
        private const val AUDITING_API = 30
        private val LOCK = Any()

        @Volatile private var instance: ConsentGate? = null

        /**
         * Initialises the SDK for this process, in `Application.onCreate` (every process of the
         * app that uses it): reads the policy from the APK's assets ([policyAsset]), opens the
         * journal in `noBackupFilesDir/consentgate` (consent does not travel to a restored
         * device), and, in a debuggable build only, registers the QA receiver.
         *
         * [InvalidPolicyException] for a missing or invalid policy (every problem with its JSON
         * path and line), [StorageException] if the journal folder cannot be used,
         * [IllegalStateException] if already initialised (use [get], or [close] first).
         */
        @JvmStatic
        @JvmOverloads
        public fun init(
            context: Context,
            policyAsset: String = DEFAULT_POLICY_ASSET,
        ): ConsentGate {
            val json =
                try {
                    context.assets.open(policyAsset).use { it.readBytes().toString(Charsets.UTF_8) }
                } catch (e: IOException) {
                    throw InvalidPolicyException(
                        "invalid policy: asset \"$policyAsset\" cannot be read from the APK (${e.javaClass.simpleName}: ${e.message})",
                    )
                }
            return initWithPolicyJson(context, json)
        }

        /**
         * As [init], with the policy given as JSON (e.g. downloaded and verified by the app) and,
         * optionally, another journal folder (absolute).
         */
        @JvmStatic
        @JvmOverloads
        public fun initWithPolicyJson(
            context: Context,
            policyJson: String,
            journalDir: File = defaultJournalDir(context),
        ): ConsentGate {
            val appContext = context.applicationContext ?: context
            synchronized(LOCK) {
                check(instance == null) { "ConsentGate is already initialised in this process: use ConsentGate.get(), or close() it first" }
                val engine = ConsentEngine.open(policyJson, journalDir)
                val gate =
                    try {
                        ConsentGate(appContext, engine, journalDir)
                    } catch (t: Throwable) {
                        engine.close()
                        throw t
                    }
                try {
                    gate.start()
                } catch (t: Throwable) {
                    gate.close()
                    throw t
                }
                instance = gate
                Log.i(TAG, "initialised: policy ${engine.policyVersion}, ${engine.purposeIds.size} purposes")
                return gate
            }
        }

        /** The instance made by [init]; [IllegalStateException] before it (or after [close]). */
        @JvmStatic
        public fun get(): ConsentGate =
            instance ?: throw IllegalStateException("ConsentGate.init(context) has not been called in this process")

        /** The instance made by [init], or null. */
        @JvmStatic
        public fun getOrNull(): ConsentGate? = instance

        /** `noBackupFilesDir/consentgate`: excluded from backups, so consent does not travel to a restored device. */
        @JvmStatic
        public fun defaultJournalDir(context: Context): File = File(context.noBackupFilesDir, "consentgate")

        private fun findApplication(context: Context): Application? {
            var c: Context? = context
            while (c != null) {
                if (c is Application) return c
                c = (c as? ContextWrapper)?.baseContext
            }
            return context.applicationContext as? Application
        }
    }
}
