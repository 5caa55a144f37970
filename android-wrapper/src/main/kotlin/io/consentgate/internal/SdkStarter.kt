package io.consentgate.internal

import android.os.Handler
import android.os.Looper
import java.util.Collections

/**
 * Runs the app's start and stop code of third-party SDKs (or of any purpose) at the right time:
 * start once the name is allowed (at registration, after a later consent, or at the
 * registration in a later process, since nothing runs across processes), never while it is not;
 * stop once it is no longer allowed (a withdrawal, the privacy policy withdrawn, erase). Each
 * runs on the main thread, once per change of state, in registration order.
 *
 * [allowed] answers for a name; it must fail closed (false) on any error.
 */
internal class SdkStarter(
    private val allowed: (String) -> Boolean,
) {
    private class Entry {
        val starts = ArrayList<Runnable>()
        val stops = ArrayList<Runnable>()
        var running = false
    }

    private val main = Handler(Looper.getMainLooper())
    private val entries = LinkedHashMap<String, Entry>()

    fun onAllowed(
        name: String,
        start: Runnable,
    ) {
        synchronized(entries) { entries.getOrPut(name) { Entry() }.starts.add(start) }
        reconcileSoon()
    }

    fun onWithdrawn(
        name: String,
        stop: Runnable,
    ) {
        synchronized(entries) { entries.getOrPut(name) { Entry() }.stops.add(stop) }
        reconcileSoon()
    }

    /** Checks every name on the main thread (now if already there). */
    fun reconcileSoon() {
        if (Looper.myLooper() == Looper.getMainLooper()) reconcile() else main.post { reconcile() }
    }

    private fun reconcile() {
        // java.util copies, not toList()/emptyList(): this runs at app start, where Kotlin's
        // collection helpers would load the standard library's largest classes.
        val names = synchronized(entries) { ArrayList(entries.keys) }
        for (name in names) {
            val now = allowed(name)
            val (run, callbacks) =
                synchronized(entries) {
                    val e = entries[name] ?: return@synchronized false to Collections.emptyList<Runnable>()
                    when {
                        now && !e.running && e.starts.isNotEmpty() -> {
                            e.running = true
                            true to ArrayList(e.starts)
                        }
                        !now && e.running -> {
                            e.running = false
                            true to ArrayList(e.stops)
                        }
                        else -> false to Collections.emptyList<Runnable>()
                    }
                }
            if (run) callbacks.forEach { it.run() }
        }
    }

    fun clear() = synchronized(entries) { entries.clear() }
}
