package com.example.app;

import android.content.Context;
import android.provider.Settings;

/** Touches the framework without reading personal data: no finding. */
public class Quiet {
    public String animations(Context c) {
        return Settings.Secure.getString(c.getContentResolver(), "animator_duration_scale");
    }

    public String label() {
        return "android_id is a string here, not a read";
    }
}
