package io.consentgate.qa

import android.app.Activity
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import android.content.pm.ApplicationInfo
import android.os.Build
import android.os.Bundle
import android.util.Log
import io.consentgate.AgeBracket
import io.consentgate.ConsentGate
import io.consentgate.ConsentGateException
import io.consentgate.internal.OsPermissions
import org.json.JSONObject
import java.io.IOException

/**
 * The QA hook: drives consent states from adb on an emulator. Exists only in a debuggable build:
 * [ConsentGate.init] registers it at run time when `ApplicationInfo.FLAG_DEBUGGABLE` is set and
 * never otherwise (it is not in any manifest), so a release build has nothing that answers.
 * Only senders holding `android.permission.DUMP` reach it: the adb shell and the system, not
 * other apps.
 *
 * ```
 * adb shell am broadcast -p <package> -a io.consentgate.qa.ACCEPT_POLICY
 * adb shell am broadcast -p <package> -a io.consentgate.qa.GRANT --es purpose feedback_photo
 * adb shell am broadcast -p <package> -a io.consentgate.qa.DENY --es purpose feedback_photo
 * adb shell am broadcast -p <package> -a io.consentgate.qa.WITHDRAW --es purpose feedback_photo
 * adb shell am broadcast -p <package> -a io.consentgate.qa.RESET
 * adb shell am broadcast -p <package> -a io.consentgate.qa.SET_CLOCK --el fixed_ms 1767225600000
 * adb shell am broadcast -p <package> -a io.consentgate.qa.SET_CLOCK --el advance_ms 172800000
 * adb shell am broadcast -p <package> -a io.consentgate.qa.SET_CLOCK --el offset_ms -3600000
 * adb shell am broadcast -p <package> -a io.consentgate.qa.SET_CLOCK --ez system true
 * adb shell am broadcast -p <package> -a io.consentgate.qa.AGE --es age under_14
 * adb shell am broadcast -p <package> -a io.consentgate.qa.GUARDIAN --ez given true
 * adb shell am broadcast -p <package> -a io.consentgate.qa.DUMP
 * ```
 * Each answers `result=-1` and one line of JSON as data (`{"ok":true,...}`); a failed command
 * `result=1` and `{"ok":false,"error":"..."}`. `result=0` with no data means nothing answered
 * (not debuggable, or ConsentGate not initialised in that process). DUMP writes the proof
 * document to `files/consentgate-qa/proof.json` (read it with `adb shell run-as <package> cat
 * files/consentgate-qa/proof.json`) and answers its path and the journal folder; RESET (account
 * deletion) deletes it again. The commands run [QaOperations], as the test rule does.
 *
 * The clock set here is the engine's, in this process only: it is lost when the process ends.
 */
internal class QaReceiver(
    private val commands: QaCommands,
) : BroadcastReceiver() {
    override fun onReceive(
        context: Context,
        intent: Intent,
    ) {
        val reply = commands.run(intent.action.orEmpty(), intent.extras)
        Log.i(OsPermissions.LOG_TAG, "QA ${intent.action?.removePrefix(QaCommands.PREFIX)}: ${if (reply.ok) "ok" else "failed"}")
        if (isOrderedBroadcast) setResult(reply.code, reply.json, null)
    }

    companion object {
        /** The permission a sender must hold: the adb shell has it, ordinary apps cannot get it. */
        const val SENDER_PERMISSION = "android.permission.DUMP"

        fun isDebuggable(context: Context): Boolean = (context.applicationInfo.flags and ApplicationInfo.FLAG_DEBUGGABLE) != 0

        fun register(
            context: Context,
            gate: ConsentGate,
        ): QaReceiver {
            val receiver = QaReceiver(QaCommands(context, gate))
            val filter = IntentFilter()
            QaCommands.ACTIONS.forEach { filter.addAction(QaCommands.PREFIX + it) }
            if (Build.VERSION.SDK_INT >= 33) {
                context.registerReceiver(receiver, filter, SENDER_PERMISSION, null, Context.RECEIVER_EXPORTED)
            } else {
                context.registerReceiver(receiver, filter, SENDER_PERMISSION, null)
            }
            Log.i(OsPermissions.LOG_TAG, "debuggable build: QA receiver registered (io.consentgate.qa.*)")
            return receiver
        }
    }
}

/** One QA command's answer: [code] is the broadcast result code, [json] its data. */
internal class QaReply(
    val ok: Boolean,
    val json: String,
) {
    val code: Int get() = if (ok) Activity.RESULT_OK else 1
}

/**
 * The QA commands as adb sends them: parses the broadcast's action and extras, runs the one
 * matching [QaOperations] operation (the same code the test rule runs) and builds the reply.
 * A plain class, testable without broadcasts.
 */
@OptIn(ConsentGateQaApi::class)
internal class QaCommands(
    private val context: Context,
    private val gate: ConsentGate,
) {
    fun run(
        action: String,
        extras: Bundle?,
    ): QaReply {
        val name = action.removePrefix(PREFIX)
        val out = JSONObject().put("ok", true).put("action", name)
        return try {
            val qa = QaOperations.of(gate)
            when (name) {
                "ACCEPT_POLICY" -> qa.acceptPolicy()
                "GRANT" -> qa.grant(purpose(extras))
                "DENY" -> qa.deny(purpose(extras))
                "WITHDRAW" -> {
                    val w = qa.withdraw(purpose(extras))
                    out.put("released", w.releasedPermissions.joinToString(","))
                    out.put("revoke_scheduled", w.revokeScheduled)
                }
                "RESET" -> qa.reset()
                "SET_CLOCK" -> setClock(qa, extras)
                "AGE" -> qa.setAgeBracket(AgeBracket.fromJsonName(string(extras, "age")))
                "GUARDIAN" -> qa.setGuardianConsent(boolean(extras, "given"))
                "DUMP" -> {
                    val file = qa.dumpProof()
                    out.put("proof", file.absolutePath).put("journal_dir", gate.journalDir.absolutePath)
                    out.put("access_violations", gate.accessViolationCount).put("access_auditing", gate.isAccessAuditing)
                }
                else -> throw IllegalArgumentException(
                    "unknown QA action \"${action.take(100)}\" (expected one of ${ACTIONS.joinToString(", ")})",
                )
            }
            out.put("now_ms", qa.nowMs())
            extras?.getString("purpose")?.let { p ->
                if (p in gate.purposeIds) out.put("purpose", p).put("allowed", gate.isAllowed(p)).put("decision", gate.decide(p).toString())
            }
            QaReply(true, out.toString())
        } catch (e: ConsentGateException) {
            failure(name, e)
        } catch (e: IllegalArgumentException) {
            failure(name, e)
        } catch (e: IOException) {
            failure(name, e)
        }
    }

    private fun failure(
        name: String,
        e: Exception,
    ) = QaReply(
        false,
        JSONObject()
            .put("ok", false)
            .put("action", name)
            .put("error", "${e.javaClass.simpleName}: ${e.message}")
            .toString(),
    )

    private fun setClock(
        qa: QaOperations,
        extras: Bundle?,
    ) {
        when {
            extras == null -> throw IllegalArgumentException(
                "SET_CLOCK needs one of --el fixed_ms, --el offset_ms, --el advance_ms, --ez system true",
            )
            extras.containsKey("fixed_ms") -> qa.setClockFixed(long(extras, "fixed_ms"))
            extras.containsKey("offset_ms") -> qa.setClockOffset(long(extras, "offset_ms"))
            extras.containsKey("advance_ms") -> qa.advanceClock(long(extras, "advance_ms"))
            extras.getBoolean("system", false) -> qa.useSystemClock()
            else -> throw IllegalArgumentException(
                "SET_CLOCK needs one of --el fixed_ms, --el offset_ms, --el advance_ms, --ez system true",
            )
        }
    }

    private fun purpose(extras: Bundle?): String = string(extras, "purpose")

    private fun string(
        extras: Bundle?,
        key: String,
    ): String = extras?.getString(key) ?: throw IllegalArgumentException("missing --es $key <value>")

    private fun boolean(
        extras: Bundle?,
        key: String,
    ): Boolean {
        if (extras == null || !extras.containsKey(key)) throw IllegalArgumentException("missing --ez $key true|false")
        return extras.getBoolean(key)
    }

    private fun long(
        extras: Bundle,
        key: String,
    ): Long {
        @Suppress("DEPRECATION")
        return when (val v = extras.get(key)) {
            is Long -> v
            is Int -> v.toLong()
            is String -> v.toLongOrNull() ?: throw IllegalArgumentException("--el $key: \"${v.take(40)}\" is not a number")
            else -> throw IllegalArgumentException("--el $key <milliseconds> is required")
        }
    }

    companion object {
        const val PREFIX = "io.consentgate.qa."
        val ACTIONS = listOf("ACCEPT_POLICY", "GRANT", "DENY", "WITHDRAW", "RESET", "SET_CLOCK", "AGE", "GUARDIAN", "DUMP")
        const val DUMP_DIR = "consentgate-qa"
    }
}
