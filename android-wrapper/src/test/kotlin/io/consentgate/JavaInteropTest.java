package io.consentgate;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The engine API as a Java app sees it: static open, overloads for defaulted parameters,
 * try-with-resources, decisions by instanceof, exceptions by class. Compiled by javac, so a
 * Kotlin-only signature would fail the build.
 */
public class JavaInteropTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long HOUR_MS = 3_600_000L;
    private static final String CAMERA = "android.permission.CAMERA";
    private static final String FINE = "android.permission.ACCESS_FINE_LOCATION";
    private static final String BACKGROUND = "android.permission.ACCESS_BACKGROUND_LOCATION";
    private static final String POLICY = """
        {
          "schema": 1,
          "policy_version": "2024-01-01",
          "default_locale": "zh-CN",
          "purposes": [
            { "id": "feedback_photo", "permissions": ["android.permission.CAMERA"],
              "description": { "zh-CN": "用户问题反馈拍照上传照片", "en": "Take a photo to attach to your feedback" } },
            { "id": "nearby_stores",
              "permissions": ["android.permission.ACCESS_FINE_LOCATION", "android.permission.ACCESS_BACKGROUND_LOCATION"],
              "description": { "zh-CN": "查找附近门店", "en": "Find stores near you" } },
            { "id": "scan_receipt", "permissions": ["android.permission.CAMERA"],
              "description": { "zh-CN": "扫描收据", "en": "Scan a receipt" } }
          ]
        }
        """;

    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aJavaCallerUsesTheEngine() throws Exception {
        File dir = new File(tmp.getRoot(), "consent");
        try (ConsentEngine engine = ConsentEngine.open(POLICY, dir)) {
            Fixtures.freezeClock(engine, T0); // internal API: the test's own clock
            int photo = engine.purposeIndex("feedback_photo");
            assertFalse(engine.isAllowed(photo));

            Decision before = engine.decide("feedback_photo");
            assertTrue(before instanceof Decision.Blocked);
            assertEquals(BlockReason.POLICY_NOT_ACCEPTED, ((Decision.Blocked) before).getReason());

            engine.acceptPolicy(Surface.APP, "zh-CN");
            engine.grant("feedback_photo", Surface.RATIONALE_DIALOG, "zh-CN");
            engine.grant("scan_receipt", Surface.RATIONALE_DIALOG, "zh-CN", Actor.GUARDIAN);
            assertTrue(engine.isAllowed(photo));
            assertTrue(engine.decide("feedback_photo", Source.SETTINGS).isAllowed());
            assertTrue(engine.decide("feedback_photo") == Decision.Allowed.INSTANCE);

            engine.deny("nearby_stores", Surface.RATIONALE_DIALOG, "en");
            Decision cooldown = engine.decide("nearby_stores");
            assertEquals(T0 + 48 * HOUR_MS, ((Decision.Blocked) cooldown).getUntilMs());

            List<String> revoke = engine.withdraw("feedback_photo", Surface.SETTINGS_SCREEN, "en");
            assertEquals(Collections.emptyList(), revoke);
            RequestPlan plan = engine.requestPlan("nearby_stores", 34, Collections.<String>emptyList());
            assertEquals(BACKGROUND, plan.getBackgroundLocation());
            assertFalse(plan.isEmpty());
            assertEquals(Arrays.asList(FINE), engine.reconcile(Arrays.asList(CAMERA, FINE)));

            List<PurposeSetting> rows = engine.settings("en");
            assertEquals(SettingState.WITHDRAWN, rows.get(0).getState());
            Long last = rows.get(0).getLastDecisionMs();
            assertEquals(Long.valueOf(T0), last);
            assertEquals("Scan a receipt", engine.rationale("scan_receipt", "en").getDescription());
            assertEquals(Surface.QA_HOOK, Surface.fromJsonName("qa_hook"));

            try {
                engine.decide("not_declared");
                fail();
            } catch (UndeclaredPurposeException expected) {
                assertTrue(expected.getMessage().contains("not_declared"));
            }
            try {
                engine.grant("feedback_photo", Surface.APP, "zh_CN");
                fail();
            } catch (ConsentGateException expected) {
                assertTrue(expected instanceof InvalidArgumentException);
            }
        }
    }
}
