package io.consentgate.testsupport

import android.app.Activity

/** A plain framework Activity, declared in src/test/AndroidManifest.xml, for tests to host dialogs and requests. */
class TestActivity : Activity()
