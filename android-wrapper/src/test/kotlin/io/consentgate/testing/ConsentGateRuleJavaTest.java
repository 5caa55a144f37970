package io.consentgate.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import android.Manifest;
import android.app.Application;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.consentgate.Actor;
import io.consentgate.AgeBracket;
import io.consentgate.BlockReason;
import io.consentgate.ConsentGate;
import io.consentgate.ConsentReason;
import io.consentgate.Decision;
import io.consentgate.Surface;
import io.consentgate.Withdrawal;

import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;

import static org.robolectric.Shadows.shadowOf;

/** {@link ConsentGateRule} as a Java test uses it (compiled by javac). */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {23, 29, 33, 34, 35}, qualifiers = "en-rUS")
public class ConsentGateRuleJavaTest {

    private static final long START = 1_780_000_000_000L;

    @Rule
    public final ConsentGateRule consent = ConsentGateRule.withPolicyAsset().startingAt(START);

    @Test
    public void aJavaTestSetsStatesAndMovesTheClock() {
        ConsentGate gate = ConsentGate.get();
        assertSame(consent.getGate(), gate);
        assertEquals(START, consent.getClock().getNowMs());

        consent.acceptPolicy();
        consent.deny("nearby_stores", START - TimeUnit.HOURS.toMillis(47));
        Decision d = gate.decide("nearby_stores");
        assertTrue(d instanceof Decision.Blocked);
        assertEquals(BlockReason.COOLDOWN, ((Decision.Blocked) d).getReason());
        assertEquals(START + TimeUnit.HOURS.toMillis(1), ((Decision.Blocked) d).getUntilMs());

        consent.getClock().advance(1, TimeUnit.HOURS);
        assertEquals(new Decision.NeedsConsent(ConsentReason.ASK_AGAIN), gate.decide("nearby_stores"));

        Application app = RuntimeEnvironment.getApplication();
        shadowOf(app).grantPermissions(Manifest.permission.CAMERA);
        consent.grant("scan_receipt");
        assertTrue(gate.isAllowed("scan_receipt"));

        consent.setAge(AgeBracket.AGE_14_TO_17);
        assertFalse(gate.isAllowed("scan_receipt"));
        consent.guardian(true);
        assertTrue(gate.isAllowed("scan_receipt"));

        Withdrawal w = consent.withdraw("scan_receipt");
        assertEquals("scan_receipt", w.getPurposeId());
        assertFalse(gate.isAllowed("scan_receipt"));

        List<String> kinds = new ArrayList<>();
        for (JournalEvent e : consent.journal()) {
            kinds.add(e.getEvent());
            assertEquals(Surface.QA_HOOK, e.getSurface());
        }
        assertEquals(
            List.of("policy_accepted", "consent_denied", "consent_granted", "age_bracket_set", "guardian_consent", "consent_withdrawn"),
            kinds);
        JournalEvent denied = consent.journal().get(1);
        assertEquals(START - TimeUnit.HOURS.toMillis(47), denied.getTimeMs());
        assertEquals("nearby_stores", denied.getPurposeId());
        assertEquals(Actor.GUARDIAN, consent.journal().get(4).getActor());
    }
}
