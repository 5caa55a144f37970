package io.consentgate.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.app.Application;
import android.content.Intent;
import android.os.Looper;
import io.consentgate.BlockReason;
import io.consentgate.ConsentGate;
import io.consentgate.ConsentListener;
import io.consentgate.PurposeHandle;
import io.consentgate.RequestResult;
import io.consentgate.Withdrawal;
import io.consentgate.testsupport.TestActivity;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;

/** The facade as a Java app calls it (README order): static init, callbacks as lambdas, results by instanceof. */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {23, 29, 33, 34, 35}, qualifiers = "en-rUS")
public class FacadeJavaTest {
    @After
    public void closeGate() {
        ConsentGate gate = ConsentGate.getOrNull();
        if (gate != null) gate.close();
    }

    @Test
    public void javaCallsTheFacadeAsDocumented() {
        Application app = RuntimeEnvironment.getApplication();
        ConsentGate.init(app);
        ConsentGate gate = ConsentGate.get();
        TestActivity activity = Robolectric.buildActivity(TestActivity.class).setup().get();

        List<RequestResult> results = new ArrayList<>();
        gate.request(activity, "feedback_photo", results::add);
        shadowOf(Looper.getMainLooper()).idle();
        assertEquals(1, results.size());
        RequestResult first = results.get(0);
        assertTrue(first instanceof RequestResult.Blocked);
        assertEquals(BlockReason.POLICY_NOT_ACCEPTED, ((RequestResult.Blocked) first).getReason());
        assertFalse(first.isGranted());

        List<String> changed = new ArrayList<>();
        ConsentListener listener = changed::add;
        gate.addListener(listener);
        gate.acceptPrivacyPolicy();
        shadowOf(Looper.getMainLooper()).idle();
        assertEquals(1, changed.size());

        PurposeHandle photo = gate.purpose("feedback_photo");
        assertFalse(photo.isAllowed());
        photo.request(activity, result -> results.add(result));
        shadowOf(Looper.getMainLooper()).idle();
        Intent started = shadowOf(activity).getNextStartedActivity();
        assertNotNull("the consent flow started", started);
        assertEquals("io.consentgate.ConsentRequestActivity", started.getComponent().getClassName());

        Withdrawal w = gate.withdraw("scan_receipt");
        assertEquals("scan_receipt", w.getPurposeId());
        assertFalse(gate.isAllowed("scan_receipt"));
        assertTrue(gate.exportProof().contains("consent_withdrawn"));
        gate.removeListener(listener);
    }
}
